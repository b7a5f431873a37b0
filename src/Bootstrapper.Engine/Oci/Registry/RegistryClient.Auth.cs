using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Oci;

namespace Bootstrapper.Engine.Oci.Registry;

internal sealed partial class RegistryClient
{
    /// <summary>
    /// Answers a 401: Basic sends the credentials; Bearer asks the token server the challenge names (realm, service)
    /// for pull and push on this repository, with the credentials when there are any (anonymous tokens exist).
    /// </summary>
    private async Task AuthenticateAsync(HttpResponseMessage unauthorized, CancellationToken ct)
    {
        var header = unauthorized.Headers.WwwAuthenticate.FirstOrDefault()?.ToString();
        var challenge = RegistryChallenge.Parse(header)
            ?? throw new FetchException($"{_reference.Registry} answered 401 without a WWW-Authenticate challenge");
        var credentials = _options.Credentials;
        if (challenge.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            if (credentials is null) throw NoCredentials();
            _authorization = new AuthenticationHeaderValue("Basic", BasicValue(credentials));
            return;
        }
        if (!challenge.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) || challenge.Realm is null)
            throw new FetchException($"{_reference.Registry} asks for '{header}', an authentication bootstrap does not speak (Basic and Bearer)");
        var query = new List<string>();
        if (challenge.Service is not null) query.Add("service=" + Uri.EscapeDataString(challenge.Service));
        query.Add("scope=" + Uri.EscapeDataString($"repository:{Repo}:pull,push"));
        var tokenUri = new UriBuilder(challenge.Realm) { Query = string.Join('&', query) }.Uri;
        using var request = new HttpRequestMessage(HttpMethod.Get, tokenUri);
        if (credentials is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Basic", BasicValue(credentials));
        using var response = await _http.SendAsync(request, ct).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            throw credentials is null ? NoCredentials() : Refused();
        if (!response.IsSuccessStatusCode)
            throw new FetchException($"the token server {tokenUri.GetLeftPart(UriPartial.Path)} answered {(int)response.StatusCode} {response.ReasonPhrase}");
        var json = OciJson.Parse(await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false), tokenUri.GetLeftPart(UriPartial.Path));
        var token = (string?)(json["token"] ?? json["access_token"])
            ?? throw new FetchException($"the token server {tokenUri.GetLeftPart(UriPartial.Path)} sent no token");
        _authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    private static string BasicValue(RegistryAuthFile.Credentials c) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{c.Username}:{c.Password}"));

    private FetchException NoCredentials() => new(
        $"{_reference.Registry} asks for credentials and none were found for {_reference.Registry}/{Repo} in " +
        (_options.CredentialFilesSearched.Count > 0 ? string.Join(", ", _options.CredentialFilesSearched) : "no auth file") +
        "; log in with `podman login` or pass --authfile FILE");

    private FetchException Refused() => new(
        $"{_reference.Registry} refused the credentials for {_reference.Registry}/{Repo} (user '{_options.Credentials?.Username}'); check the auth file or log in again");
}
