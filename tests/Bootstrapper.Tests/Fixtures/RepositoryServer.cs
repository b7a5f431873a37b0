using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Bootstrapper.Tests.Fixtures;

/// <summary>
/// Serves files over HTTP on 127.0.0.1 with WireMock.Net, with per-file faults: N error statuses before success,
/// or a short (truncated) body before success. A short body here ends cleanly with a matching Content-Length
/// (WireMock cannot drop a connection mid-body; <see cref="DroppingHttpServer"/> does that).
/// </summary>
public sealed class RepositoryServer : IDisposable
{
    private readonly WireMockServer _server;

    /// <param name="files">Path relative to the repository root -> content.</param>
    public RepositoryServer(IReadOnlyDictionary<string, byte[]> files, string prefix = "/debian")
    {
        _server = WireMockServer.Start();
        Prefix = prefix;
        foreach (var (path, data) in files) Serve(path, data);
    }

    internal RepositoryServer(SignedDebianRepository repository) : this(repository.BuildFiles())
    {
    }

    public string Prefix { get; }

    /// <summary>http://127.0.0.1:PORT/debian (no trailing slash).</summary>
    public string BaseUrl => _server.Urls[0].TrimEnd('/') + Prefix;

    /// <summary>Requests received for a path (relative to the repository root), to assert what was (not) fetched.</summary>
    public int RequestCount(string path) =>
        _server.LogEntries.Count(e => e.RequestMessage.Path == $"{Prefix}/{path}");

    /// <summary>Every request received, whatever its path.</summary>
    public int TotalRequests => _server.LogEntries.Count;

    /// <summary>Replaces a file's content.</summary>
    public void Serve(string path, byte[] data) =>
        _server.Given(Request.Create().WithPath($"{Prefix}/{path}").UsingGet()).AtPriority(100)
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/octet-stream").WithBody(data));

    /// <summary>The next <paramref name="times"/> requests for <paramref name="path"/> get <paramref name="status"/>.</summary>
    public void FailFirst(string path, int times = 1, int status = 503) =>
        Fault(path, times, () => Response.Create().WithStatusCode(status).WithBody("temporarily unavailable"));

    /// <summary>The next <paramref name="times"/> requests get only the first <paramref name="bytes"/> bytes.</summary>
    public void TruncateFirst(string path, byte[] data, int bytes, int times = 1) =>
        Fault(path, times, () => Response.Create().WithStatusCode(200).WithBody(data[..bytes]));

    /// <summary>Every request for the path gets 404 (a mirror without that file).</summary>
    public void Remove(string path) =>
        _server.Given(Request.Create().WithPath($"{Prefix}/{path}").UsingGet()).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(404));

    private void Fault(string path, int times, Func<IResponseBuilder> response)
    {
        // A chain of scenario states 0..times-1, each answering once with the fault; afterwards the file mapping wins.
        var scenario = $"fault:{path}:{Guid.NewGuid():N}";
        for (int i = 0; i < times; i++)
        {
            var mapping = _server.Given(Request.Create().WithPath($"{Prefix}/{path}").UsingGet()).AtPriority(2).InScenario(scenario);
            if (i > 0) mapping = mapping.WhenStateIs($"s{i}");
            mapping.WillSetStateTo($"s{i + 1}").RespondWith(response());
        }
    }

    public void Dispose() => _server.Stop();
}
