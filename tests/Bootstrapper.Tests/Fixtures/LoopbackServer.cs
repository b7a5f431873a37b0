using System.Net;
using System.Net.Sockets;

namespace Bootstrapper.Tests.Fixtures;

/// <summary>
/// A raw TCP server on 127.0.0.1 that hands each connection to <see cref="Handle"/>: for HTTP servers that must
/// misbehave below what WireMock can do (drop a connection mid-body, stall).
/// </summary>
public abstract class LoopbackServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    /// <summary>Cancelled on dispose: handlers that stall wait on it.</summary>
    protected CancellationTokenSource Stop { get; } = new();

    /// <summary>Call at the end of the derived constructor, once its fields are set.</summary>
    protected void Start()
    {
        _listener.Start();
        _ = Task.Run(AcceptLoop);
    }

    /// <summary>http://127.0.0.1:PORT</summary>
    public string Root => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    protected abstract Task Handle(TcpClient client);

    private async Task AcceptLoop()
    {
        while (!Stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(Stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            _ = Task.Run(() => Handle(client));
        }
    }

    public virtual void Dispose()
    {
        Stop.Cancel();
        _listener.Stop();
        GC.SuppressFinalize(this);
    }
}
