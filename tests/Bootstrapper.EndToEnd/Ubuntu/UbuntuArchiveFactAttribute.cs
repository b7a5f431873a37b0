using System.Runtime.CompilerServices;
using Bootstrapper.Engine.Families.Debian.Repository;

namespace Bootstrapper.EndToEnd.Ubuntu;

/// <summary>
/// A fact that needs Ubuntu's archive. The build machines reach only Debian's, so the mirror comes from
/// BOOTSTRAP_MIRROR_UBUNTU or from host apt sources that serve noble, and is tried with a short timeout; when there
/// is none or it does not answer, the test is skipped and says why (xunit prints the reason).
/// </summary>
public sealed class UbuntuArchiveFactAttribute : FactAttribute
{
    public UbuntuArchiveFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        (Mirror, var why) = Find();
        if (Mirror is null) Skip = why;
    }

    /// <summary>The mirror that answered, or null.</summary>
    public static string? Mirror { get; private set; }

    private static (string? Mirror, string Why) Find()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("BOOTSTRAP_MIRROR_UBUNTU") is { Length: > 0 } env) candidates.Add(env.TrimEnd('/'));
        candidates.AddRange(HostAptSources.Read().Where(e => e.Type == "deb" && e.Suites.Contains("noble")).Select(e => e.Uri.TrimEnd('/')));
        if (candidates.Count == 0)
            return (null, "no Ubuntu archive configured: set BOOTSTRAP_MIRROR_UBUNTU=URL (or add a noble source to the " +
                          "host's apt sources) to build recipes/ubuntu-noble.toml live");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var tried = new List<string>();
        foreach (var mirror in candidates.Distinct())
        {
            try
            {
                using var response = http.Send(new HttpRequestMessage(HttpMethod.Head, $"{mirror}/dists/noble/InRelease"));
                if (response.IsSuccessStatusCode) return (mirror, "");
                tried.Add($"{mirror}: HTTP {(int)response.StatusCode}");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or NotSupportedException)
            {
                tried.Add($"{mirror}: {e.Message}");
            }
        }
        return (null, "Ubuntu archive not reachable within 5 s (" + string.Join("; ", tried) + ")");
    }
}
