using System.Net.Sockets;
using System.Text;

namespace Bootstrapper.Tests.Fixtures;

/// <summary>
/// A mirror on 127.0.0.1 that passes index requests through to an upstream server and stalls on every package:
/// it announces the full length, sends half the file, then nothing more until disposed (a mirror whose disk hangs).
/// </summary>
public sealed class StallingProxy : LoopbackServer
{
    private readonly HttpClient _upstream = new();
    private readonly string _upstreamRoot;
    private int _stalled;

    /// <param name="upstreamRoot">scheme://host:port of the server that has the files (paths are kept).</param>
    public StallingProxy(string upstreamRoot)
    {
        _upstreamRoot = upstreamRoot.TrimEnd('/');
        Start();
    }

    /// <summary>Package requests answered with a stall.</summary>
    public int Stalled => Volatile.Read(ref _stalled);

    protected override async Task Handle(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var reader = new StreamReader(stream, Encoding.ASCII);
            var path = (await reader.ReadLineAsync())?.Split(' ')[1] ?? "/";
            while (!string.IsNullOrEmpty(await reader.ReadLineAsync())) { }
            try
            {
                using var response = await _upstream.GetAsync(_upstreamRoot + path, Stop.Token);
                var body = await response.Content.ReadAsByteArrayAsync(Stop.Token);
                if (path.Contains("/pool/", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref _stalled);
                    await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"));
                    await stream.WriteAsync(body.AsMemory(0, body.Length / 2));
                    await stream.FlushAsync();
                    await Task.Delay(Timeout.Infinite, Stop.Token);
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

    public override void Dispose()
    {
        base.Dispose();
        _upstream.Dispose();
    }
}
