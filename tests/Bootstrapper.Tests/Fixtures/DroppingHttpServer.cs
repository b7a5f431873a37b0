using System.Net.Sockets;
using System.Text;

namespace Bootstrapper.Tests.Fixtures;

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 that can really drop a connection mid-body: it announces the full
/// Content-Length, sends part of the body, then resets the socket. WireMock's "faults" end responses cleanly, so
/// they cannot exercise this path. Each request takes the next behaviour from the script; the last one repeats.
/// </summary>
public sealed class DroppingHttpServer : LoopbackServer
{
    /// <summary>What to do with one request: answer a status; or send the body, all of it, or this many bytes then
    /// drop the connection, or this many bytes then stall (send nothing more until the server is disposed).</summary>
    public sealed record Step(int? BodyBytesThenDrop = null, int Status = 200, int? BodyBytesThenStall = null);

    private readonly byte[] _body;
    private readonly Step[] _script;
    private int _requests;

    public DroppingHttpServer(byte[] body, params Step[] script)
    {
        _body = body;
        _script = script.Length == 0 ? [new Step()] : script;
        Start();
    }

    public string Url => Root + "/file.bin";
    public int Requests => Volatile.Read(ref _requests);

    protected override async Task Handle(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var reader = new StreamReader(stream, Encoding.ASCII);
            // Read the request head; the body of a GET is empty.
            while (!string.IsNullOrEmpty(await reader.ReadLineAsync())) { }
            int n = Interlocked.Increment(ref _requests);
            var step = _script[Math.Min(n - 1, _script.Length - 1)];
            if (step.Status != 200)
            {
                var head = $"HTTP/1.1 {step.Status} Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
                return;
            }
            var ok = $"HTTP/1.1 200 OK\r\nContent-Length: {_body.Length}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(ok));
            if (step.BodyBytesThenStall is { } sent)
            {
                await stream.WriteAsync(_body.AsMemory(0, sent));
                await stream.FlushAsync();
                try { await Task.Delay(Timeout.Infinite, Stop.Token); } catch (OperationCanceledException) { }
                return;
            }
            if (step.BodyBytesThenDrop is { } partial)
            {
                await stream.WriteAsync(_body.AsMemory(0, partial));
                await stream.FlushAsync();
                await Task.Delay(20);
                client.Client.LingerState = new LingerOption(true, 0); // RST: an abrupt drop, not a clean close
                client.Client.Close();
                return;
            }
            await stream.WriteAsync(_body);
        }
    }
}
