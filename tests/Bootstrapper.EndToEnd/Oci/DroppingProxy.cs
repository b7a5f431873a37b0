using System.Net;
using System.Net.Sockets;

namespace Bootstrapper.EndToEnd.Oci;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of a registry that cuts the first connection once it has forwarded
/// <c>cutAfter</c> bytes from the client: a push interrupted mid-upload, as a flaky network or a restarted load
/// balancer does it. Counts every byte sent to the registry.
/// </summary>
public sealed class DroppingProxy : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    private readonly long _cutAfter;
    private readonly CancellationTokenSource _stop = new();
    private int _cut;
    private long _forwarded;

    public DroppingProxy(int targetPort, long cutAfter)
    {
        _target = targetPort;
        _cutAfter = cutAfter;
        _listener.Start();
        _ = Task.Run(AcceptLoop);
    }

    public string Host => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
    public long BytesToRegistry => Interlocked.Read(ref _forwarded);
    public bool HasCut => _cut > 0;

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            _ = Task.Run(() => Serve(client));
        }
    }

    private async Task Serve(TcpClient client)
    {
        using (client)
        using (var upstream = new TcpClient())
        {
            await upstream.ConnectAsync(IPAddress.Loopback, _target);
            var toServer = Pump(client.GetStream(), upstream.GetStream(), countAndCut: true);
            var toClient = Pump(upstream.GetStream(), client.GetStream(), countAndCut: false);
            await Task.WhenAny(toServer, toClient);
            client.Client.LingerState = new LingerOption(true, 0); // a reset, as a dropped connection
        }
    }

    private async Task Pump(Stream from, Stream to, bool countAndCut)
    {
        var buffer = new byte[64 * 1024];
        long sent = 0;
        try
        {
            int n;
            while ((n = await from.ReadAsync(buffer, _stop.Token)) > 0)
            {
                if (countAndCut && _cut == 0 && sent + n > _cutAfter && Interlocked.Exchange(ref _cut, 1) == 0) return;
                await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
                sent += n;
                if (countAndCut) Interlocked.Add(ref _forwarded, n);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }
}
