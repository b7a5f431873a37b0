using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Bootstrapper.Tests.Fixtures;

/// <summary>
/// A mirror on 127.0.0.1 that passes index requests through to an upstream server and stalls on every package:
/// it announces the full length, sends half the file, then nothing more until disposed (a mirror whose disk hangs).
/// </summary>
public sealed class StallingProxy : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly HttpClient _upstream = new();
    private readonly string _upstreamRoot;
    private readonly CancellationTokenSource _stop = new();
    private int _stalled;

    /// <param name="upstreamRoot">scheme://host:port of the server that has the files (paths are kept).</param>
    public StallingProxy(string upstreamRoot)
    {
        _upstreamRoot = upstreamRoot.TrimEnd('/');
        _listener.Start();
        _ = Task.Run(AcceptLoop);
    }

    public string Root => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
    /// <summary>Package requests answered with a stall.</summary>
    public int Stalled => Volatile.Read(ref _stalled);

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            _ = Task.Run(() => Handle(client));
        }
    }

    private async Task Handle(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var reader = new StreamReader(stream, Encoding.ASCII);
            var path = (await reader.ReadLineAsync())?.Split(' ')[1] ?? "/";
            while (!string.IsNullOrEmpty(await reader.ReadLineAsync())) { }
            try
            {
                using var response = await _upstream.GetAsync(_upstreamRoot + path, _stop.Token);
                var body = await response.Content.ReadAsByteArrayAsync(_stop.Token);
                if (path.Contains("/pool/", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref _stalled);
                    await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"));
                    await stream.WriteAsync(body.AsMemory(0, body.Length / 2));
                    await stream.FlushAsync();
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                    return;
                }
                await stream.WriteAsync(Encoding.ASCII.GetBytes(
                    $"HTTP/1.1 {(int)response.StatusCode} X\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"));
                await stream.WriteAsync(body);
            }
            catch (OperationCanceledException) { }
            catch (IOException) { } // the client gave up on a stall
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _upstream.Dispose();
    }
}
