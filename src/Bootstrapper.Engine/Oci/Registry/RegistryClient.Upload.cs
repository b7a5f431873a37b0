using System.Net;
using System.Net.Http.Headers;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Engine.Oci.Registry;

internal sealed partial class RegistryClient
{
    /// <summary>
    /// A chunked upload (POST, then PATCH per chunk with Content-Range, then PUT ?digest=). When a chunk fails (a
    /// dropped connection, a 5xx), the retry first asks the registry how much it holds (GET on the upload's
    /// location, Range: 0-LAST) and goes on from there: an interrupted upload resumes instead of starting over.
    /// A registry that dropped the upload instead (distribution 2.8 cancels an upload whose PATCH broke off, see
    /// docs/findings.md) answers that GET with 404 or 400: then this blob alone starts again.
    /// </summary>
    /// <param name="progress">Receives the bytes the registry confirmed so far.</param>
    public async Task UploadBlobAsync(string digest, string file, long size, CancellationToken ct, IProgress<long>? progress = null)
    {
        var location = await StartUploadAsync(digest, ct).ConfigureAwait(false);
        long offset = 0;
        bool askWhereItStands = false;
        while (offset < size)
        {
            await _retry.ExecuteAsync(async token =>
            {
                if (askWhereItStands)
                {
                    if (await UploadStatusAsync(location, token).ConfigureAwait(false) is { } status)
                        (location, offset) = status;
                    else
                        (location, offset) = (await StartUploadAsync(digest, token).ConfigureAwait(false), 0);
                    RestartedOrResumed?.Invoke(offset);
                }
                askWhereItStands = true; // until this chunk is confirmed
                if (offset >= size) return;
                int length = (int)Math.Min(_options.ChunkBytes, size - offset);
                long start = offset;
                using var response = await SendOnceAuthorizedAsync(() => new HttpRequestMessage(HttpMethod.Patch, location)
                {
                    Content = Chunk(file, start, length),
                }, token).ConfigureAwait(false);
                Expect(response, $"a chunk of {digest} (bytes {start}-{start + length - 1})", HttpStatusCode.Accepted, HttpStatusCode.NoContent);
                location = Location(response);
                offset = ConfirmedEnd(response) ?? start + length;
                askWhereItStands = false;
                progress?.Report(offset);
            }, ct).ConfigureAwait(false);
        }
        var separator = location.Query.Length > 0 ? "&" : "?";
        var finish = new Uri(location + separator + "digest=" + Uri.EscapeDataString(digest));
        using var done = await SendAsync(() => new HttpRequestMessage(HttpMethod.Put, finish)
        {
            Content = new ByteArrayContent([]) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } },
        }, ct).ConfigureAwait(false);
        if (done.StatusCode == HttpStatusCode.BadRequest)
            throw new VerificationException($"the registry's copy of {digest} does not match it (it was changed in transit, or the file changed while it was pushed)");
        Expect(done, "completing the upload of " + digest, HttpStatusCode.Created, HttpStatusCode.NoContent, HttpStatusCode.Accepted);
    }

    /// <summary>Called with the offset an interrupted upload goes on from (0: started again); for tests and logs.</summary>
    public Action<long>? RestartedOrResumed { get; set; }

    private async Task<Uri> StartUploadAsync(string digest, CancellationToken ct)
    {
        using var started = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, Url("blobs/uploads/")), ct).ConfigureAwait(false);
        Expect(started, "starting an upload of " + digest, HttpStatusCode.Accepted);
        return Location(started);
    }

    /// <returns>Where the upload stands, or null when the registry no longer has it.</returns>
    private async Task<(Uri Location, long Offset)?> UploadStatusAsync(Uri location, CancellationToken ct)
    {
        using var response = await SendOnceAuthorizedAsync(() => new HttpRequestMessage(HttpMethod.Get, location), ct).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest) return null;
        Expect(response, "the state of an upload", HttpStatusCode.NoContent, HttpStatusCode.OK, HttpStatusCode.Accepted);
        return (response.Headers.Location is null ? location : Location(response), ConfirmedEnd(response) ?? 0);
    }

    /// <summary>A 401 in the middle of an upload (an expired token) is answered as anywhere else, inside the retry.</summary>
    private async Task<HttpResponseMessage> SendOnceAuthorizedAsync(Func<HttpRequestMessage> create, CancellationToken ct)
    {
        var response = await SendOnceAsync(create, ct).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized) return response;
        await AuthenticateAsync(response, ct).ConfigureAwait(false);
        response.Dispose();
        return await SendOnceAsync(create, ct).ConfigureAwait(false);
    }

    /// <summary>One chunk, read into memory (at most <see cref="RegistryOptions.ChunkBytes"/>) so a retry resends it whole.</summary>
    private static HttpContent Chunk(string file, long start, int length)
    {
        var bytes = new byte[length];
        using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1))
        {
            stream.Position = start;
            stream.ReadExactly(bytes);
        }
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.TryAddWithoutValidation("Content-Range", $"{start}-{start + length - 1}");
        return content;
    }

    /// <summary>The registry's Range header, "0-LAST": it holds LAST + 1 bytes ("0-0" before the first byte, as
    /// distribution answers an empty upload; a one-byte upload is then sent again and refused with 416, and resumed).</summary>
    private static long? ConfirmedEnd(HttpResponseMessage response)
    {
        // Range is a request header to .NET, so a response's is only in the non-validated view.
        if (!response.Headers.NonValidated.TryGetValues("Range", out var values)) return null;
        var range = values.ToString();
        var dash = range.IndexOf('-');
        if (dash < 0 || !long.TryParse(range[(dash + 1)..], out var last)) return null;
        return last == 0 ? 0 : last + 1;
    }

    private Uri Location(HttpResponseMessage response)
    {
        var location = response.Headers.Location
            ?? throw new FetchException($"the registry {_reference.Registry} answered an upload without a Location");
        return location.IsAbsoluteUri ? location : new Uri(_base!, location);
    }
}
