using System.Net;
using System.Net.Http.Headers;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Oci;
using Polly;
using Polly.Retry;

namespace Bootstrapper.Engine.Oci.Registry;

/// <summary>
/// One repository of a registry, through the OCI distribution API (v2): ping, authentication (Basic, or a Bearer
/// token from the realm a 401's WWW-Authenticate names), blobs, manifests. Every request is retried through Polly on
/// dropped connections, timeouts, 429 and 5xx; uploads are in <see cref="RegistryClient.UploadBlobAsync"/>.
/// </summary>
internal sealed partial class RegistryClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly ImageReference _reference;
    private readonly RegistryOptions _options;
    private readonly ResiliencePipeline _retry;
    private Uri? _base;
    private AuthenticationHeaderValue? _authorization;

    public RegistryClient(ImageReference reference, RegistryOptions options)
    {
        _reference = reference;
        _options = options;
        var handler = options.Handler ?? new SocketsHttpHandler
        {
            // --tls-verify=false is the user asking for exactly this (a registry with a self-signed certificate).
#pragma warning disable CA5359
            SslOptions = options.TlsVerify ? new() : new() { RemoteCertificateValidationCallback = (_, _, _, _) => true },
#pragma warning restore CA5359
        };
        _http = new HttpClient(handler, disposeHandler: options.Handler is null) { Timeout = TimeSpan.FromMinutes(5) };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("bootstrap/1");
        _retry = options.MaxAttempts <= 1
            ? ResiliencePipeline.Empty
            : new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<TransientRegistryFailure>(),
                MaxRetryAttempts = options.MaxAttempts - 1,
                Delay = options.FirstRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = options.FirstRetryDelay > TimeSpan.Zero,
            }).Build();
    }

    public void Dispose() => _http.Dispose();

    private string Repo => _reference.Repository;

    /// <summary>GET /v2/: finds the scheme (https, or http when TLS is not verified and the registry has none) and
    /// authenticates up front, so that no large upload is sent only to be refused.</summary>
    public async Task PingAsync(CancellationToken ct)
    {
        foreach (var scheme in _options.TlsVerify ? ["https"] : new[] { "https", "http" })
        {
            var uri = new Uri($"{scheme}://{_reference.Registry}/v2/");
            HttpResponseMessage response;
            try
            {
                response = await _http.GetAsync(uri, ct).ConfigureAwait(false);
            }
            catch (HttpRequestException e) when (scheme == "https" && !_options.TlsVerify)
            {
                _ = e; // a registry that speaks plain HTTP: try that
                continue;
            }
            catch (HttpRequestException e)
            {
                throw new FetchException(
                    $"cannot reach the registry at {uri}: {e.Message}" +
                    (_options.TlsVerify ? " (for a registry without TLS, or with a certificate this host does not trust: --tls-verify=false)" : ""), e);
            }
            using (response)
            {
                _base = new Uri($"{scheme}://{_reference.Registry}/");
                if (response.StatusCode == HttpStatusCode.Unauthorized) await AuthenticateAsync(response, ct).ConfigureAwait(false);
                else if (!response.IsSuccessStatusCode)
                    throw new FetchException($"{uri} answered {(int)response.StatusCode} {response.ReasonPhrase}: not an OCI registry?");
                return;
            }
        }
        throw new FetchException($"cannot reach the registry {_reference.Registry} over https or http");
    }

    public async Task<bool> HasBlobAsync(string digest, CancellationToken ct)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Head, Url($"blobs/{digest}")), ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return false;
        Expect(response, "HEAD blob " + digest, HttpStatusCode.OK);
        return true;
    }

    /// <returns>The digest the registry computed (Docker-Content-Digest), and the response headers.</returns>
    public async Task<(string Digest, HttpResponseHeaders Headers)> PutManifestAsync(string reference, string mediaType,
        byte[] body, CancellationToken ct)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Put, Url($"manifests/{reference}"))
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue(mediaType) } },
        }, ct).ConfigureAwait(false);
        Expect(response, $"PUT manifest {reference}", HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.Accepted);
        var digest = response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.First() : OciDigest.Of(body);
        return (digest, response.Headers);
    }

    /// <returns>The manifest's bytes and media type, or null when the registry has none under that reference.</returns>
    public async Task<(byte[] Body, string? MediaType)?> GetManifestAsync(string reference, string accept, CancellationToken ct)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, Url($"manifests/{reference}"))
        {
            Headers = { Accept = { new MediaTypeWithQualityHeaderValue(accept) } },
        }, ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        Expect(response, $"GET manifest {reference}", HttpStatusCode.OK);
        return (await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false), response.Content.Headers.ContentType?.MediaType);
    }

    private Uri Url(string path) => new(_base ?? throw new InvalidOperationException("PingAsync first"), $"v2/{Repo}/{path}");

    /// <summary>Sends with the current authorization, retried through Polly; a 401 authenticates once and resends.</summary>
    private Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> create, CancellationToken ct) =>
        _retry.ExecuteAsync(async token =>
        {
            var response = await SendOnceAsync(create, token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                await AuthenticateAsync(response, token).ConfigureAwait(false);
                response.Dispose();
                response = await SendOnceAsync(create, token).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.Unauthorized)
                {
                    response.Dispose();
                    throw _options.Credentials is null ? NoCredentials() : Refused();
                }
            }
            return response;
        }, ct).AsTask();

    private async Task<HttpResponseMessage> SendOnceAsync(Func<HttpRequestMessage> create, CancellationToken ct)
    {
        var request = create();
        request.Headers.Authorization = _authorization;
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException ||
                                  (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            throw new TransientRegistryFailure($"{request.Method} {request.RequestUri}: {e.Message}", e);
        }
        if ((int)response.StatusCode >= 500 || response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout)
        {
            var status = $"{request.Method} {request.RequestUri}: {(int)response.StatusCode} {response.ReasonPhrase}";
            response.Dispose();
            throw new TransientRegistryFailure(status, null);
        }
        return response;
    }

    private static void Expect(HttpResponseMessage response, string what, params HttpStatusCode[] expected)
    {
        if (expected.Contains(response.StatusCode)) return;
        var body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        throw new FetchException($"the registry refused {what}: {(int)response.StatusCode} {response.ReasonPhrase}" +
                                 (body.Length > 0 ? $": {body.Trim()[..Math.Min(body.Trim().Length, 400)]}" : ""));
    }
}

/// <summary>A failure worth retrying: a dropped connection, a timeout, 429, 5xx.</summary>
internal sealed class TransientRegistryFailure(string message, Exception? inner) : Exception(message, inner);
