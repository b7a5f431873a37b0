using System.Net;
using System.Net.Sockets;

namespace Bootstrapper.Tests.Fixtures;

/// <summary>Mirrors that are down, on 127.0.0.1 only (no traffic leaves the machine).</summary>
public static class DeadEndpoints
{
    /// <summary>A port nothing listens on: the kernel answers a connect with RST (connection refused).</summary>
    public static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>
    /// A blackholed address: a listener with a backlog of 1 that never accepts, its accept queue filled. Linux then
    /// drops further SYNs (as a firewall DROP rule or an unroutable address would), so a connect hangs until its timeout.
    /// </summary>
    public sealed class Blackhole : IDisposable
    {
        private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private readonly List<Socket> _fillers = [];

        public Blackhole()
        {
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _listener.Listen(1);
            // The queue holds backlog + 1 completed handshakes; fill it (connects that no longer complete quickly stop the loop).
            for (int i = 0; i < 4; i++)
            {
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                _fillers.Add(s);
                if (!s.ConnectAsync(_listener.LocalEndPoint!).Wait(TimeSpan.FromMilliseconds(200))) break;
            }
        }

        public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

        public void Dispose()
        {
            foreach (var s in _fillers) s.Dispose();
            _listener.Dispose();
        }
    }

    /// <summary>A server that accepts connections (the kernel completes the handshake) and never answers a byte.</summary>
    public sealed class Silent : IDisposable
    {
        private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        public Silent()
        {
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _listener.Listen(64); // never accepted: connections wait in the queue, unanswered
        }

        public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

        public void Dispose() => _listener.Dispose();
    }
}
