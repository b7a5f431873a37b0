using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Bootstrapper.Core.OpenPgp;

namespace Bootstrapper.Tests.Fixtures;

/// <summary>
/// Builds a small signed Debian repository (dists/SUITE/{InRelease,Release,Release.gpg}, Packages{,.gz,.xz} per
/// component, optional by-hash copies and pool/ .debs) and knobs to break it the ways mirrors and attackers do.
/// Serve it with <see cref="RepositoryServer"/> (WireMock on 127.0.0.1) or write it to a folder for file:// URLs.
/// Set the knobs, then call <see cref="BuildFiles"/> (the server and WriteTo do so).
/// </summary>
internal sealed class SignedDebianRepository
{
    private readonly Dictionary<string, StringBuilder> _packages = [];
    /// <summary>Stanzas of packages built for one of <see cref="MoreArchitectures"/>: (component, architecture).</summary>
    private readonly Dictionary<(string, string), StringBuilder> _foreign = [];
    private readonly Dictionary<string, byte[]> _pool = [];

    /// <summary>Folder under dists/ (what clients request).</summary>
    public string Suite { get; set; } = "bookworm";
    /// <summary>Suite field of the Release.</summary>
    public string ReleaseSuite { get; set; } = "stable";
    /// <summary>Codename field of the Release.</summary>
    public string ReleaseCodename { get; set; } = "bookworm";
    public string Architecture { get; set; } = "amd64";
    /// <summary>More binary-ARCH indices: each lists its own packages (AddPackage with that architecture) and every
    /// Architecture: all package.</summary>
    public List<string> MoreArchitectures { get; } = [];
    public List<string> Components { get; } = ["main"];
    /// <summary>Keys that sign InRelease and Release.gpg, in order (default: <see cref="TestKey.Default"/>).</summary>
    public List<TestKey> Signers { get; } = [TestKey.Default];
    public DateTimeOffset Date { get; set; } = DateTimeOffset.UtcNow.AddHours(-1);
    public DateTimeOffset? ValidUntil { get; set; }
    public bool AcquireByHash { get; set; }
    public bool WithInRelease { get; set; } = true;
    public bool WithReleaseGpg { get; set; } = true;
    /// <summary>Packages.xz needs the xz command (Debian package xz-utils).</summary>
    public bool WithXz { get; set; } = true;
    public bool WithGz { get; set; } = true;
    public bool WithPlain { get; set; } = true;
    /// <summary>Applied to the finished InRelease text (after signing): add text, flip a letter...</summary>
    public Func<string, string>? TamperInRelease { get; set; }
    /// <summary>Applied to a Packages file (path under dists/SUITE/, bytes) before the Release records its hash: a
    /// correctly signed but broken index.</summary>
    public Func<string, byte[], byte[]>? RewriteIndexBeforeSigning { get; set; }
    /// <summary>Applied to every served Packages file after the Release recorded its hash: a hash mismatch.</summary>
    public Func<byte[], byte[]>? TamperPackages { get; set; }

    /// <summary>Keyring holding the default signer's public key (what a recipe would list).</summary>
    public OpenPgpKeyring Keyring => OpenPgpKeyring.Load([("fixture.gpg", TestKey.Default.PublicKeyringBytes)]);

    /// <summary>Adds a .deb to pool/ and its stanza to COMPONENT's Packages; returns the Filename field.</summary>
    /// <param name="extraFields">More stanza lines ("Depends: libc6\nPriority: required").</param>
    public string AddPackage(string name, string version, byte[] deb, string component = "main", string? extraFields = null,
        string? architecture = null)
    {
        var arch = architecture ?? Architecture;
        var prefix = name.StartsWith("lib", StringComparison.Ordinal) ? name[..4] : name[..1];
        var filename = $"pool/{component}/{prefix}/{name}/{name}_{version.Replace(":", "%3a")}_{arch}.deb";
        _pool[filename] = deb;
        var stanza = new StringBuilder();
        stanza.Append($"Package: {name}\nVersion: {version}\nArchitecture: {arch}\n");
        if (!string.IsNullOrEmpty(extraFields)) stanza.Append(extraFields.TrimEnd('\n')).Append('\n');
        stanza.Append($"Filename: {filename}\nSize: {deb.Length}\nSHA256: {Sha256(deb)}\n");
        stanza.Append($"Description: fixture package {name}\n");
        if (MoreArchitectures.Contains(arch)) Append(_foreign, (component, arch), stanza.ToString());
        else AddStanza(component, stanza.ToString());
        return filename;
    }

    /// <summary>Adds a raw Packages stanza (no pool file).</summary>
    public void AddStanza(string component, string stanza) => Append(_packages, component, stanza);

    private static void Append<TKey>(Dictionary<TKey, StringBuilder> indices, TKey key, string stanza) where TKey : notnull
    {
        if (!indices.TryGetValue(key, out var sb)) indices[key] = sb = new StringBuilder();
        if (sb.Length > 0) sb.Append('\n');
        sb.Append(stanza.TrimEnd('\n')).Append('\n');
    }

    /// <summary>binary-ARCH/Packages of another architecture: its own stanzas and the Architecture: all ones.</summary>
    private string ForeignIndex(string component, string arch)
    {
        var all = (_packages.TryGetValue(component, out var sb) ? sb.ToString() : "").Split("\n\n")
            .Where(st => st.Contains("\nArchitecture: all\n", StringComparison.Ordinal)).Select(st => st.TrimEnd('\n') + "\n");
        var own = _foreign.TryGetValue((component, arch), out var f) ? [f.ToString()] : Array.Empty<string>();
        return string.Join("\n", own.Concat(all));
    }

    /// <summary>Every file of the repository by path relative to its root.</summary>
    public Dictionary<string, byte[]> BuildFiles()
    {
        var files = new Dictionary<string, byte[]>(_pool);
        var dists = $"dists/{Suite}/";
        var entries = new List<(string Path, byte[] Data)>();
        foreach (var (component, arch) in Components.SelectMany(c => new[] { Architecture }.Concat(MoreArchitectures).Select(a => (c, a))))
        {
            var dir = $"{component}/binary-{arch}";
            var plain = Encoding.UTF8.GetBytes(arch != Architecture ? ForeignIndex(component, arch)
                : _packages.TryGetValue(component, out var sb) ? sb.ToString() : "");
            if (WithPlain) entries.Add(($"{dir}/Packages", plain));
            if (WithGz) entries.Add(($"{dir}/Packages.gz", Gzip(plain)));
            if (WithXz) entries.Add(($"{dir}/Packages.xz", Xz(plain)));
        }
        if (RewriteIndexBeforeSigning != null)
            entries = entries.Select(e => (e.Path, RewriteIndexBeforeSigning(e.Path, e.Data))).ToList();
        foreach (var (path, data) in entries)
        {
            var served = TamperPackages?.Invoke(data) ?? data;
            files[dists + path] = served;
            if (AcquireByHash)
                files[$"{dists}{Path.GetDirectoryName(path)}/by-hash/SHA256/{Sha256(data)}"] = served;
        }

        var release = Encoding.UTF8.GetBytes(ReleaseText(entries));
        files[dists + "Release"] = release;
        if (WithReleaseGpg)
            files[dists + "Release.gpg"] = Signers[0].DetachedSign(release);
        if (WithInRelease)
        {
            var inRelease = Encoding.UTF8.GetString(TestKey.ClearSign(Encoding.UTF8.GetString(release), Signers));
            files[dists + "InRelease"] = Encoding.UTF8.GetBytes(TamperInRelease?.Invoke(inRelease) ?? inRelease);
        }
        return files;
    }

    /// <summary>Writes the repository under <paramref name="directory"/>; returns its file:// base URL.</summary>
    public string WriteTo(string directory)
    {
        foreach (var (path, data) in BuildFiles())
        {
            var full = Path.Combine(directory, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllBytes(full, data);
        }
        return new Uri(Path.GetFullPath(directory)).AbsoluteUri;
    }

    public static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>Release dates as the archive writes them ("Sat, 10 Jun 2023 08:50:56 UTC").</summary>
    public static string FormatDate(DateTimeOffset d) =>
        d.UtcDateTime.ToString("ddd, dd MMM yyyy HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private string ReleaseText(List<(string Path, byte[] Data)> entries)
    {
        var sb = new StringBuilder();
        sb.Append("Origin: Fixture\nLabel: Fixture\n");
        sb.Append($"Suite: {ReleaseSuite}\nCodename: {ReleaseCodename}\n");
        sb.Append($"Date: {FormatDate(Date)}\n");
        if (ValidUntil is { } vu) sb.Append($"Valid-Until: {FormatDate(vu)}\n");
        if (AcquireByHash) sb.Append("Acquire-By-Hash: yes\n");
        sb.Append($"Architectures: {string.Join(' ', new[] { Architecture }.Concat(MoreArchitectures))}\nComponents: {string.Join(' ', Components)}\n");
        sb.Append("Description: signed test repository\n");
        sb.Append("SHA256:\n");
        foreach (var (path, data) in entries)
            sb.Append($" {Sha256(data)} {data.Length,16} {path}\n");
        return sb.ToString();
    }

    private static byte[] Gzip(byte[] data)
    {
        var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest)) gz.Write(data);
        return output.ToArray();
    }

    private static byte[] Xz(byte[] data)
    {
        var psi = new ProcessStartInfo("xz", "-c -6 --check=crc64")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start xz (install xz-utils)");
        var output = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(output);
        process.StandardInput.BaseStream.Write(data);
        process.StandardInput.Close();
        copy.Wait();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"xz exited with {process.ExitCode}");
        return output.ToArray();
    }
}
