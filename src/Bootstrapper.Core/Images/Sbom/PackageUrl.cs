using System.Text;
using Bootstrapper.Core.Images.Manifest;

namespace Bootstrapper.Core.Images.Sbom;

/// <summary>
/// Package URLs (purl, ECMA-427 / package-url/purl-spec) for the SBOM's externalRefs, which is how vulnerability
/// scanners match a package to advisories.
/// </summary>
/// <remarks>
/// From the purl specification: name and namespace of the "deb" and "apk" types are lower case; the version is
/// opaque and keeps a Debian epoch inline ("pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64" is the spec's own
/// example: there is no epoch qualifier for deb, unlike rpm); components are percent-encoded except for ASCII
/// letters and digits, ". - _ ~" and ':' (so '+' becomes %2B); qualifiers are sorted by key.
/// </remarks>
internal static class PackageUrl
{
    /// <param name="vendor">"debian" or "ubuntu" (the purl namespace).</param>
    /// <param name="distro">The `distro` qualifier ("debian-12", see <see cref="OsRelease.Distro"/>), which scanners
    /// need to pick the release's advisories; null leaves it out.</param>
    public static string Deb(string vendor, string name, string version, string architecture, string? distro = null) =>
        Build("deb", vendor, name, version, [("arch", architecture), ("distro", distro)]);

    /// <param name="vendor">"alpine".</param>
    /// <param name="distro">"alpine-3.23"; null leaves it out.</param>
    public static string Apk(string vendor, string name, string version, string architecture, string? distro = null) =>
        Build("apk", vendor, name, version, [("arch", architecture), ("distro", distro)]);

    /// <summary>The purl of a manifest package: type by family ("deb" or "apk"), with the image's distro.</summary>
    public static string For(ImageManifest manifest, string vendor, ManifestPackage p) => manifest.Family == "alpine"
        ? Apk(vendor, p.Name, p.Version, p.Architecture, manifest.Os?.Distro)
        : Deb(vendor, p.Name, p.Version, p.Architecture, manifest.Os?.Distro);

    public static string Build(string type, string? @namespace, string name, string? version,
        IEnumerable<(string Key, string? Value)> qualifiers)
    {
        var purl = new StringBuilder("pkg:").Append(type.ToLowerInvariant()).Append('/');
        if (!string.IsNullOrEmpty(@namespace))
        {
            foreach (var segment in @namespace.Trim('/').Split('/'))
                purl.Append(Encode(segment.ToLowerInvariant())).Append('/');
        }
        // deb and apk names are case-insensitive and canonically lower case (type definitions).
        purl.Append(Encode(name.Trim('/').ToLowerInvariant()));
        if (!string.IsNullOrEmpty(version)) purl.Append('@').Append(Encode(version));
        var pairs = qualifiers
            .Where(q => !string.IsNullOrEmpty(q.Value))
            .Select(q => q.Key.ToLowerInvariant() + "=" + Encode(q.Value!))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (pairs.Count > 0) purl.Append('?').AppendJoin('&', pairs);
        return purl.ToString();
    }

    /// <summary>Percent-encodes UTF-8 bytes outside the purl "allowed set" plus ':' (upper-case hex).</summary>
    public static string Encode(string component)
    {
        var encoded = new StringBuilder(component.Length);
        foreach (var b in Encoding.UTF8.GetBytes(component))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '~' or ':') encoded.Append(c);
            else encoded.Append('%').Append(b.ToString("X2"));
        }
        return encoded.ToString();
    }
}
