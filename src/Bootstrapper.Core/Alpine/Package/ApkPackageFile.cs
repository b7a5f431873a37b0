using System.Security.Cryptography;
using System.Text;
using Bootstrapper.Core.Alpine.Index;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Planning;

namespace Bootstrapper.Core.Alpine.Package;

/// <summary>A verified v2 .apk: its metadata, maintainer scripts and data entries.</summary>
internal sealed record ApkPackageContents
{
    public required string Name { get; init; }
    public required string Version { get; init; }
    /// <summary>"Q1" + base64 SHA-1 of the compressed control member: the package identity (index field C:).</summary>
    public required string Checksum { get; init; }
    public required string SignedBy { get; init; }
    /// <summary>.PKGINFO as key/value pairs in file order (keys may repeat: depend, provides...).</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> PkgInfo { get; init; }
    /// <summary>Script type ("pre-install", "post-install", "trigger"...) to content.</summary>
    public required IReadOnlyDictionary<string, byte[]> Scripts { get; init; }
    /// <summary>Trigger globs from .PKGINFO "triggers" (directories whose change fires the .trigger script).</summary>
    public required IReadOnlyList<string> Triggers { get; init; }
    public required IReadOnlyList<ApkTarEntry> DataEntries { get; init; }
    /// <summary>The decompressed data member: one complete tar archive, for extractors that read tar themselves.</summary>
    public ReadOnlyMemory<byte> DataTar { get; init; }
}

/// <summary>
/// Reads a v2 .apk: three gzip members forming one tar. Member 1 holds .SIGN.RSA*.&lt;key&gt; over the compressed
/// bytes of member 2 (the control section: .PKGINFO and scripts); .PKGINFO's datahash is the SHA-256 of the
/// compressed member 3 (the data). Like apk 3, a package without datahash is refused: its signature would have to
/// cover the data too, a layout abuild has not produced for years. Everything is verified before anything is
/// returned, so a caller never sees data from an unverified package.
/// </summary>
internal static class ApkPackageFile
{
    /// <summary>Script types apk knows, in its order (apk-tools package.c apk_script_types).</summary>
    public static readonly IReadOnlyList<string> ScriptTypes =
        ["pre-install", "post-install", "pre-deinstall", "post-deinstall", "pre-upgrade", "post-upgrade", "trigger"];

    /// <param name="expected">The index entry it was downloaded for: name, version and C: must match.</param>
    public static ApkPackageContents Verify(byte[] file, ApkKeyring keyring, ApkPackageInfo? expected, string source)
    {
        var what = expected is null ? source : $"{expected} ({source})";
        ApkIndex.RejectAdb(file, what);
        if (expected is not null && expected.Size > 0 && file.Length != expected.Size)
            throw new VerificationException(
                $"{what}: size {file.Length} differs from the index's {expected.Size} (truncated or wrong file).");
        // Inflated in memory: limited by the index's installed size (I:) like a .deb's unpack by its Installed-Size.
        var inflated = GzipMembers.Inflate(file, what,
            UnpackLimit.For(expected is { InstalledSize: > 0 } ? expected.InstalledSize : null, file.Length));
        var m = inflated.Select(x => x.Member).ToArray();
        if (m.Length != 3)
            throw new VerificationException(
                $"{what}: expected 3 gzip members (signature, control, data), found {m.Length}.");
        var control = file.AsSpan(m[1].Offset, m[1].Length);

        // 1. Signature over the compressed control member.
        var signedBy = ApkSignature.Verify(ApkTar.Read(inflated[0].Content, what), control,
            keyring, what);

        // 2. Identity: the index's C: is the SHA-1 of the same compressed control bytes.
        var checksum = "Q1" + Convert.ToBase64String(SHA1.HashData(control));
        if (expected is not null && checksum != expected.Checksum)
            throw new VerificationException(
                $"{what}: control checksum {checksum} differs from the index's C:{expected.Checksum}; the mirror " +
                "serves a different build than its index lists.");

        // 3. Control section.
        var pkgInfo = new List<KeyValuePair<string, string>>();
        var scripts = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        bool havePkgInfo = false;
        foreach (var e in ApkTar.Read(inflated[1].Content, what))
        {
            if (e.Name == ".PKGINFO")
            {
                havePkgInfo = true;
                pkgInfo = ParsePkgInfo(Encoding.UTF8.GetString(e.Data.Span));
            }
            else if (e.Name.StartsWith('.') && ScriptTypes.Contains(e.Name[1..]))
                scripts[e.Name[1..]] = e.Data.ToArray();
            else if (!e.Name.StartsWith('.') || e.Name.Contains('/'))
                throw new VerificationException($"{what}: unexpected entry '{e.Name}' in the control section.");
        }
        if (!havePkgInfo) throw new VerificationException($"{what}: control section has no .PKGINFO.");
        string? Get(string key) => pkgInfo.FirstOrDefault(kv => kv.Key == key).Value;
        var name = Get("pkgname") ?? throw new VerificationException($"{what}: .PKGINFO has no pkgname.");
        var version = Get("pkgver") ?? throw new VerificationException($"{what}: .PKGINFO has no pkgver.");
        if (expected is not null && (name != expected.Name || version != expected.Version))
            throw new VerificationException(
                $"{what}: .PKGINFO says {name}-{version}, the index says {expected.Name}-{expected.Version}.");

        // 4. Data: datahash = SHA-256 (hex) of the compressed data member.
        var dataHash = Get("datahash");
        if (string.IsNullOrEmpty(dataHash))
            throw new VerificationException(
                $"{what}: .PKGINFO has no datahash, so its data is not covered by the signature; refused (apk 3 " +
                "refuses such packages too). Rebuild it with a current abuild.");
        var actual = Convert.ToHexStringLower(SHA256.HashData(file.AsSpan(m[2].Offset, m[2].Length)));
        if (!string.Equals(actual, dataHash, StringComparison.OrdinalIgnoreCase))
            throw new VerificationException(
                $"{what}: data member SHA-256 {actual} differs from .PKGINFO datahash {dataHash}; the data was " +
                "modified or corrupted.");
        var dataTar = inflated[2].Content;
        var data = ApkTar.Read(dataTar, what);

        return new ApkPackageContents
        {
            Name = name,
            Version = version,
            Checksum = checksum,
            SignedBy = signedBy,
            PkgInfo = pkgInfo,
            Scripts = scripts,
            Triggers = pkgInfo.Where(kv => kv.Key == "triggers")
                .SelectMany(kv => kv.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray(),
            DataEntries = data,
            DataTar = dataTar,
        };
    }

    /// <summary>.PKGINFO: "key = value" lines; '#' starts a comment line.</summary>
    public static List<KeyValuePair<string, string>> ParsePkgInfo(string text)
    {
        var list = new List<KeyValuePair<string, string>>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#') continue;
            int eq = line.IndexOf(" = ", StringComparison.Ordinal);
            if (eq <= 0) continue;
            list.Add(new(line[..eq], line[(eq + 3)..]));
        }
        return list;
    }
}
