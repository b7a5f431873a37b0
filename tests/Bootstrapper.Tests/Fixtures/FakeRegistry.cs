using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace Bootstrapper.Tests.Fixtures;

/// <summary>
/// A registry (distribution API v2, in memory) on 127.0.0.1 with WireMock.Net, guarded by the bearer-token flow:
/// every /v2/ request without the token gets 401 and a WWW-Authenticate naming /token, which hands out the token
/// only for alice:s3cret. Faults for the tests: a PATCH that keeps half its bytes and fails with 500, and a
/// registry with or without the referrers API (OCI-Subject).
/// </summary>
public sealed class FakeRegistry : IDisposable
{
    public const string User = "alice", Password = "s3cret", Token = "tok-123";
    private readonly WireMockServer _server = WireMockServer.Start();
    private readonly ConcurrentDictionary<string, byte[]> _blobs = new();
    private readonly ConcurrentDictionary<string, MemoryStream> _uploads = new();
    private readonly Lock _lock = new();

    public ConcurrentDictionary<string, (byte[] Body, string MediaType)> Manifests { get; } = new();
    public List<string> Requests { get; } = [];
    public List<string> TokenScopes { get; } = [];
    /// <summary>The PATCH with this number (1-based) keeps only half its bytes and answers 500.</summary>
    public int BreakPatchNumber { get; set; }
    public bool ReferrersApi { get; set; }
    private long _bytesReceived;
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);
    private int _patches;

    public FakeRegistry()
    {
        _server.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithCallback(Handle));
    }

    /// <summary>127.0.0.1:PORT</summary>
    public string Host => new Uri(_server.Urls[0]).Authority;
    public bool HasBlob(string digest) => _blobs.ContainsKey(digest);
    public void Dispose() => _server.Stop();

    private ResponseMessage Handle(IRequestMessage request)
    {
        lock (_lock)
        {
            Requests.Add($"{request.Method} {request.Path}");
            var auth = request.Headers is { } h && h.TryGetValue("Authorization", out var a) ? a.FirstOrDefault() : null;
            if (request.Path == "/token")
            {
                if (auth != "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}")))
                    return Reply(401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
                TokenScopes.Add(request.Query is { } q && q.TryGetValue("scope", out var s) ? s.First() : "");
                return Reply(200, $"{{\"token\":\"{Token}\"}}");
            }
            if (auth != "Bearer " + Token)
                return Reply(401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}",
                    ("WWW-Authenticate", $"Bearer realm=\"{_server.Urls[0]}/token\",service=\"fake-registry\""));
            return Route(request);
        }
    }

    private ResponseMessage Route(IRequestMessage r)
    {
        var path = r.Path;
        if (path == "/v2/") return Reply(200, "{}");
        var blob = path.IndexOf("/blobs/sha256:", StringComparison.Ordinal);
        if (blob > 0 && r.Method == "HEAD")
            return _blobs.ContainsKey(path[(blob + 7)..]) ? Reply(200, "") : Reply(404, "");
        var uploads = path.IndexOf("/blobs/uploads/", StringComparison.Ordinal);
        if (uploads > 0)
        {
            var id = path[(uploads + "/blobs/uploads/".Length)..];
            if (r.Method == "POST")
            {
                id = Guid.NewGuid().ToString("N");
                _uploads[id] = new MemoryStream();
                return Reply(202, "", ("Location", path + id), ("Range", "0-0"));
            }
            if (!_uploads.TryGetValue(id, out var upload)) return Reply(404, "");
            var range = $"0-{Math.Max(0, upload.Length - 1)}";
            switch (r.Method)
            {
                case "GET":
                    return Reply(204, "", ("Location", path), ("Range", range));
                case "PATCH":
                    {
                        var body = r.BodyAsBytes ?? [];
                        var start = long.Parse(r.Headers!["Content-Range"].First().Split('-')[0]);
                        if (start != upload.Length) return Reply(416, "", ("Range", range));
                        Interlocked.Add(ref _bytesReceived, body.Length);
                        if (++_patches == BreakPatchNumber)
                        {
                            upload.Write(body, 0, body.Length / 2);
                            return Reply(500, "broken on purpose");
                        }
                        upload.Write(body);
                        return Reply(202, "", ("Location", path), ("Range", $"0-{upload.Length - 1}"));
                    }
                case "PUT":
                    {
                        var digest = r.Query!["digest"].First();
                        var bytes = upload.ToArray();
                        if ("sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)) != digest) return Reply(400, "digest mismatch");
                        _blobs[digest] = bytes;
                        _uploads.TryRemove(id, out _);
                        return Reply(201, "", ("Docker-Content-Digest", digest));
                    }
            }
        }
        var manifests = path.IndexOf("/manifests/", StringComparison.Ordinal);
        if (manifests > 0)
        {
            var reference = path[(manifests + "/manifests/".Length)..];
            if (r.Method == "GET")
                return Manifests.TryGetValue(reference, out var m) ? Reply(200, m.Body, ("Content-Type", m.MediaType)) : Reply(404, "");
            if (r.Method == "PUT")
            {
                var body = r.BodyAsBytes ?? Encoding.UTF8.GetBytes(r.Body ?? "");
                var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(body));
                var type = r.Headers!["Content-Type"].First();
                Manifests[reference] = (body, type);
                Manifests[digest] = (body, type);
                var subject = ReferrersApi && Encoding.UTF8.GetString(body).Contains("\"subject\"");
                return subject
                    ? Reply(201, "", ("Docker-Content-Digest", digest), ("OCI-Subject", "sha256:x"))
                    : Reply(201, "", ("Docker-Content-Digest", digest));
            }
        }
        return Reply(404, "");
    }

    private static ResponseMessage Reply(int status, string body, params (string Name, string Value)[] headers) =>
        Reply(status, Encoding.UTF8.GetBytes(body), headers);

    /// <summary>
    /// WireMock (Kestrel) drops a response's Range header, which the upload protocol needs; the fake sends it as
    /// X-Fake-Range too and <see cref="RangeRestoringHandler"/> puts it back on the client's side.
    /// </summary>
    private static ResponseMessage Reply(int status, byte[] body, params (string Name, string Value)[] headers)
    {
        headers = [.. headers, .. headers.Where(h => h.Name == "Range").Select(h => ("X-Fake-Range", h.Value))];
        var message = new ResponseMessage
        {
            StatusCode = status,
            Headers = headers.ToDictionary(h => h.Name, h => new WireMockList<string>(h.Value)),
        };
        if (body.Length > 0) message.BodyData = new BodyData { BodyAsBytes = body, DetectedBodyType = BodyType.Bytes };
        return message;
    }
}

/// <summary>The client side of <see cref="FakeRegistry"/>'s Range workaround.</summary>
public sealed class RangeRestoringHandler() : DelegatingHandler(new SocketsHttpHandler())
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (response.Headers.TryGetValues("X-Fake-Range", out var range))
            response.Headers.TryAddWithoutValidation("Range", range);
        return response;
    }
}
