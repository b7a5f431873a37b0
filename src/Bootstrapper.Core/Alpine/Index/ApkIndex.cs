using System.Text;
using Bootstrapper.Core.Alpine.Package;
using Bootstrapper.Core.Alpine.Versions;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Planning;

namespace Bootstrapper.Core.Alpine.Index;

/// <summary>A verified, parsed APKINDEX.tar.gz.</summary>
internal sealed record ApkRepositoryIndex
{
    public required string Source { get; init; }
    /// <summary>The DESCRIPTION entry (e.g. "v3.23.0-12-g..."), or empty.</summary>
    public required string Description { get; init; }
    /// <summary>Name of the key file whose signature verified.</summary>
    public required string SignedBy { get; init; }
    public required IReadOnlyList<ApkPackageInfo> Packages { get; init; }
}

/// <summary>
/// APKINDEX.tar.gz: gzip member 1 is a signature tar segment, member 2 a tar holding DESCRIPTION and APKINDEX.
/// The signature covers member 2's compressed bytes. apk v3 indexes (ADB format) are refused explicitly.
/// </summary>
internal static class ApkIndex
{
    public static ApkRepositoryIndex Verify(byte[] file, ApkKeyring keyring, string source,
        int repositoryOrder = 0, string repositoryUrl = "")
    {
        RejectAdb(file, source);
        var inflated = GzipMembers.Inflate(file, source);
        var members = inflated.Select(x => x.Member).ToArray();
        if (members.Length != 2)
            throw new VerificationException(
                $"{source}: expected 2 gzip members (signature, index), found {members.Length}.");
        var sigTar = inflated[0].Content;
        var signedBy = ApkSignature.Verify(ApkTar.Read(sigTar, source), file.AsSpan(members[1].Offset, members[1].Length),
            keyring, source);

        var indexTar = inflated[1].Content;
        string description = "";
        string? text = null;
        foreach (var e in ApkTar.Read(indexTar, source))
        {
            if (e.Name == "DESCRIPTION") description = Encoding.UTF8.GetString(e.Data.Span).Trim();
            else if (e.Name == "APKINDEX") text = Encoding.UTF8.GetString(e.Data.Span);
        }
        if (text is null) throw new VerificationException($"{source}: signed archive has no APKINDEX entry.");
        return new ApkRepositoryIndex
        {
            Source = source,
            Description = description,
            SignedBy = signedBy,
            Packages = Parse(text, source, repositoryOrder, repositoryUrl),
        };
    }

    /// <summary>apk v3 files start with "ADB" (then a compression letter or '.'); we only read v2.</summary>
    public static void RejectAdb(ReadOnlySpan<byte> file, string source)
    {
        if (file.StartsWith("ADB"u8))
            throw new VerificationException(
                $"{source}: this is an apk v3 (ADB) file. Only the v2 format (APKINDEX.tar.gz, v2 .apk) is " +
                "supported; point the recipe at a repository that serves v2 indexes.");
    }

    /// <summary>Parses APKINDEX text: stanzas of "L:value" lines separated by blank lines.</summary>
    public static IReadOnlyList<ApkPackageInfo> Parse(string text, string source, int repositoryOrder = 0,
        string repositoryUrl = "")
    {
        var result = new List<ApkPackageInfo>();
        var fields = new Dictionary<char, string>();
        int lineNo = 0, stanzaLine = 1;
        foreach (var raw in text.Split('\n'))
        {
            lineNo++;
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                if (fields.Count > 0) result.Add(Build(fields, source, stanzaLine, repositoryOrder, repositoryUrl));
                fields.Clear();
                stanzaLine = lineNo + 1;
                continue;
            }
            if (line.Length < 2 || line[1] != ':')
                throw new VerificationException($"{source}:{lineNo}: malformed index line '{line}' (expected 'X:value').");
            // A repeated dependency-list letter adds to the list (apk parses each line into the same array).
            fields[line[0]] = line[0] is 'D' or 'p' or 'i' && fields.TryGetValue(line[0], out var prev)
                ? prev + " " + line[2..]
                : line[2..];
        }
        if (fields.Count > 0) result.Add(Build(fields, source, stanzaLine, repositoryOrder, repositoryUrl));
        return result;
    }

    private static ApkPackageInfo Build(Dictionary<char, string> f, string source, int line, int order, string url)
    {
        string Need(char c) => f.TryGetValue(c, out var v) && v.Length > 0
            ? v
            : throw new VerificationException($"{source}:{line}: package stanza without '{c}:' field.");
        string Opt(char c) => f.TryGetValue(c, out var v) ? v : "";
        long Num(char c)
        {
            if (!f.TryGetValue(c, out var v) || v.Length == 0) return 0;
            return long.TryParse(v, out var n) && n >= 0
                ? n
                : throw new VerificationException($"{source}:{line}: field '{c}:' is not a number: '{v}'.");
        }
        long Size(char c) => Num(c) is var n && n > PackageSizes.MaxBytes
            ? throw PackageSizes.Absurd($"{source}:{line}: package '{Opt('P')}'", $"'{c}:'", $"{n} bytes")
            : n;

        var name = Need('P');
        var where = $"{source} ({name})";
        IReadOnlyList<ApkDependency> Deps(char c)
        {
            try
            {
                return ApkDependency.ParseList(Opt(c), where);
            }
            catch (RecipeException e) // the parser speaks of recipes; here the signed index is malformed
            {
                throw new VerificationException(e.Message, e);
            }
        }
        // The package's file name is NAME-VERSION.apk in the repository's folder: both must keep it there.
        if (RepositoryPath.FileNameProblem($"{name}-{Need('V')}.apk") is { } problem)
            throw new VerificationException(
                $"{source}:{line}: package '{name}' version '{Need('V')}' makes the file name '{name}-{Need('V')}.apk', " +
                $"which leaves the repository ({problem}); the index is hostile or broken, so nothing is fetched from it.");
        var checksum = Need('C');
        if (!checksum.StartsWith("Q1", StringComparison.Ordinal))
            throw new VerificationException($"{where}: unsupported checksum '{checksum}' (expected Q1 + base64 SHA-1).");
        return new ApkPackageInfo
        {
            Checksum = checksum,
            Name = name,
            Version = Need('V'),
            Arch = Opt('A'),
            Size = Size('S'),
            InstalledSize = Size('I'),
            Description = Opt('T'),
            Url = Opt('U'),
            License = Opt('L'),
            Origin = Opt('o'),
            Maintainer = Opt('m'),
            BuildTime = Num('t'),
            Commit = Opt('c'),
            ProviderPriority = (int)Num('k'),
            Depends = Deps('D'),
            Provides = Deps('p'),
            InstallIf = Deps('i'),
            DependsText = f.GetValueOrDefault('D'),
            ProvidesText = f.GetValueOrDefault('p'),
            InstallIfText = f.GetValueOrDefault('i'),
            RepositoryOrder = order,
            RepositoryUrl = url,
        };
    }
}
