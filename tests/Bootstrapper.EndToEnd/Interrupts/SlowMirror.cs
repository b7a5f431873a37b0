using System.Net;

namespace Bootstrapper.EndToEnd.Interrupts;

/// <summary>
/// Serves a directory (a bundle: a signed mirror) on 127.0.0.1. While <see cref="Slow"/> is set, package files
/// (anything under pool/) trickle out at ~64 KiB/s, so a build's download phase lasts long enough to interrupt.
/// </summary>
internal sealed class SlowMirror : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly string _root;

    public SlowMirror(string root)
    {
        _root = Path.GetFullPath(root);
        // A free port: bind a socket to port 0, note the port, release it for the listener.
        var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Url = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public string Url { get; }
    public volatile bool Slow = true;

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            var relative = Uri.UnescapeDataString(context.Request.Url!.AbsolutePath).TrimStart('/');
            var path = Path.GetFullPath(Path.Combine(_root, relative));
            if (!path.StartsWith(_root + "/", StringComparison.Ordinal) || !File.Exists(path))
            {
                response.StatusCode = 404;
                return;
            }
            var bytes = await File.ReadAllBytesAsync(path);
            response.ContentLength64 = bytes.Length;
            var slow = Slow && relative.Contains("pool/", StringComparison.Ordinal);
            for (int at = 0; at < bytes.Length; at += 8192)
            {
                await response.OutputStream.WriteAsync(bytes.AsMemory(at, Math.Min(8192, bytes.Length - at)));
                if (slow) await Task.Delay(125);
            }
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
        {
            // The client went away (that is the point of these tests).
        }
        finally
        {
            try { response.Close(); } catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { }
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
    }
}
