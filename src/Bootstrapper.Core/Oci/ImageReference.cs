using System.Text.RegularExpressions;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Core.Oci;

/// <summary>
/// REGISTRY/REPOSITORY[:TAG][@DIGEST], as `podman push` takes it. The registry must be named: we never guess a
/// default public registry.
/// </summary>
internal sealed partial record ImageReference(string Registry, string Repository, string? Tag, string? Digest)
{
    /// <summary>The tag or digest the manifest is pushed under.</summary>
    public string Reference => Digest ?? Tag ?? "latest";

    public override string ToString() => $"{Registry}/{Repository}{(Tag is null ? "" : ":" + Tag)}{(Digest is null ? "" : "@" + Digest)}";

    public static ImageReference Parse(string text)
    {
        var slash = text.IndexOf('/');
        var host = slash > 0 ? text[..slash] : "";
        if (slash <= 0 || !(host.Contains('.') || host.Contains(':') || host == "localhost"))
            throw new RecipeException(
                $"'{text}': name the registry, as in registry.internal/base/bookworm:tag or 127.0.0.1:5000/base:tag");
        var rest = text[(slash + 1)..];
        string? digest = null;
        var at = rest.IndexOf('@');
        if (at >= 0)
        {
            digest = rest[(at + 1)..];
            OciDigest.Hex(digest, $"'{text}'");
            rest = rest[..at];
        }
        string? tag = null;
        var colon = rest.LastIndexOf(':');
        if (colon >= 0)
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
            if (!TagForm().IsMatch(tag))
                throw new RecipeException($"'{text}': '{tag}' is not a valid tag ([A-Za-z0-9_][A-Za-z0-9_.-]{{0,127}})");
        }
        if (!RepositoryForm().IsMatch(rest))
            throw new RecipeException(
                $"'{text}': '{rest}' is not a valid repository name (lowercase letters, digits and . _ - separated by /)");
        return new ImageReference(host, rest, tag, digest);
    }

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagForm();

    // The distribution specification's <name>.
    [GeneratedRegex("^[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex RepositoryForm();
}
