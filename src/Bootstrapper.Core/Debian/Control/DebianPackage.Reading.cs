using System.Globalization;
using System.Text;
using Bootstrapper.Core.Debian.Resolution;
using Bootstrapper.Core.Debian.Versions;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Planning;

namespace Bootstrapper.Core.Debian.Control;

internal sealed partial class DebianPackage
{
    private DebianPackage(StanzaSource source, int start, int end, int line, string name, string architecture,
        MultiArch multiArch, bool essential, bool important, string? priorityText, long size,
        IReadOnlyList<ProvidedName> provides)
    {
        _source = source;
        _start = start;
        _end = end;
        Line = line;
        Name = name;
        Architecture = architecture;
        MultiArch = multiArch;
        Essential = essential;
        Important = important;
        PriorityText = priorityText;
        Priority = PackageFieldValues.ParsePriority(priorityText);
        Size = size;
        Provides = provides;
    }

    /// <summary>A package as a snapshot recorded it (<see cref="PackageUniverse.FromSnapshot"/>).</summary>
    internal static DebianPackage Restore(StanzaSource source, int start, int end, int line, string name, string architecture,
        MultiArch multiArch, bool essential, bool important, string? priorityText, long size, IReadOnlyList<ProvidedName> provides) =>
        new(source, start, end, line, name, architecture, multiArch, essential, important, priorityText, size, provides);

    /// <summary>Where the stanza lies in its index (what a snapshot records instead of the fields read later).</summary>
    internal (StanzaSource Source, int Start, int End) Stanza => (_source, _start, _end);

    /// <summary>
    /// Reads a Packages stanza. Throws <see cref="ResolutionException"/> naming the index, line and package when a
    /// required field is missing or malformed.
    /// </summary>
    public static DebianPackage FromParagraph(Deb822Paragraph p, string repositoryUrl, string indexName)
    {
        // Written back as a stanza and read like an index, so that both ways of reading share every rule.
        var stanza = new StringBuilder();
        foreach (var field in FieldNames)
            if (p[field] is { } value)
                stanza.Append(field).Append(": ").Append(value.Replace("\n", "\n ")).Append('\n');
        var bytes = Encoding.UTF8.GetBytes(stanza.ToString());
        Span<FieldSpan> fields = stackalloc FieldSpan[PackageFields.Count];
        int pos = 0, lineNo = 0;
        PackageStanzaScanner.Next(bytes, ref pos, ref lineNo, fields, out int start, out int end, out _, indexName);
        var name = PackageStanzaScanner.Text(bytes, fields[(int)PackageField.Package]);
        var scratch = new byte[256];
        return Read(new StanzaSource(bytes, repositoryUrl, indexName, PackagesIndex.DefaultPin), bytes, fields,
            start, end, p.Line, name, new Utf8Strings(), null, ref scratch);
    }

    /// <summary>
    /// The package of a stanza <see cref="PackageStanzaScanner"/> found, with the checks that make an index
    /// malformed; the remaining fields are read from <paramref name="source"/> on first use.
    /// </summary>
    /// <param name="name">The Package field (null when absent).</param>
    /// <param name="strings">Shares the strings of fields with few distinct values.</param>
    /// <param name="names">Where provided names are shared from, when the reader has a name table.</param>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static DebianPackage Read(StanzaSource source, ReadOnlySpan<byte> text, ReadOnlySpan<FieldSpan> f,
        int start, int end, int line, string? name, Utf8Strings strings, PackageNameTable? names, ref byte[] scratch)
    {
        string Where() => $"{source.IndexName}:{line}: package '{name ?? "?"}'";
        ResolutionException Missing(PackageField field) => new(
            $"{Where()} has no {PackageFields.Name(field)} field; the index is malformed, refresh it or fix the repository");

        if (string.IsNullOrEmpty(name)) throw Missing(PackageField.Package);
        var version = PackageStanzaScanner.Bytes(text, f[(int)PackageField.Version], ref scratch);
        if (version.IsEmpty) throw Missing(PackageField.Version);
        if (!DebVersion.IsValid(version, out var versionError))
            throw new ResolutionException($"{Where()} has an invalid Version '{Encoding.UTF8.GetString(version)}': {versionError}");
        var sizeText = PackageStanzaScanner.Bytes(text, f[(int)PackageField.Size], ref scratch);
        if (sizeText.IsEmpty) throw Missing(PackageField.Size);
        if (!TryParseSize(sizeText, out var size))
            throw new ResolutionException($"{Where()} has an invalid Size '{Encoding.UTF8.GetString(sizeText)}'");
        if (size > PackageSizes.MaxBytes)
            throw PackageSizes.Absurd(Where(), "Size", Encoding.UTF8.GetString(sizeText));

        MultiArch multiArch;
        IReadOnlyList<ProvidedName> provides;
        try
        {
            multiArch = PackageFieldValues.ParseMultiArch(Shared(text, f[(int)PackageField.MultiArch], strings, ref scratch));
            provides = ProvidesReader.Read(PackageStanzaScanner.Bytes(text, f[(int)PackageField.Provides], ref scratch), names);
        }
        catch (FormatException e)
        {
            throw new ResolutionException($"{Where()}: {e.Message}", e);
        }
        var architecture = Shared(text, f[(int)PackageField.Architecture], strings, ref scratch);
        if (string.IsNullOrEmpty(architecture)) throw Missing(PackageField.Architecture);
        if (PackageStanzaScanner.Bytes(text, f[(int)PackageField.Filename], ref scratch).IsEmpty) throw Missing(PackageField.Filename);

        return new DebianPackage(source, start, end, line, name, architecture, multiArch,
            IsYes(PackageStanzaScanner.Bytes(text, f[(int)PackageField.Essential], ref scratch)),
            IsYes(PackageStanzaScanner.Bytes(text, f[(int)PackageField.Important], ref scratch)),
            Shared(text, f[(int)PackageField.Priority], strings, ref scratch), size, provides);
    }

    private static string? Shared(ReadOnlySpan<byte> text, FieldSpan field, Utf8Strings strings, ref byte[] scratch) =>
        field.Present ? strings.Get(PackageStanzaScanner.Bytes(text, field, ref scratch)) : null;

    private Details Read() => _details ??= ReadDetails();

    /// <summary>The stanza's fields up to Breaks as <see cref="Deb822.Parse"/> gives them (read again from the index).</summary>
    private string?[] ReadFields(PackageField last)
    {
        var text = _source.Utf8.Span[.._end];
        Span<FieldSpan> f = stackalloc FieldSpan[PackageFields.Count];
        int pos = _start, lineNo = 0;
        PackageStanzaScanner.Next(text, ref pos, ref lineNo, f, out _, out _, out _, IndexName);
        var values = new string?[(int)last + 1];
        for (int i = 0; i < values.Length; i++) values[i] = PackageStanzaScanner.Text(text, f[i]);
        return values;
    }

    /// <summary>The version: only parsed for the packages that are compared or selected.</summary>
    private DebVersion ReadVersion()
    {
        var text = ReadFields(PackageField.Version)[(int)PackageField.Version];
        // Checked when the stanza was first read.
        return DebVersion.TryParse(text, out var version, out var error)
            ? version
            : throw new InvalidOperationException($"{IndexName}:{Line}: Version no longer parses: {error}");
    }

    /// <summary>
    /// Reads the stanza again for the fields kept as offsets (a few hundred packages per plan do this). A Filename
    /// that could leave the repository (<see cref="RepositoryPath"/>) or an absurd Installed-Size is refused
    /// here, before any package of the plan is fetched.
    /// </summary>
    private Details ReadDetails()
    {
        var values = ReadFields(PackageField.Breaks);
        string? Field(PackageField field) => values[(int)field];
        var (source, sourceVersion) = ParseSource(Field(PackageField.Source), Name);
        var filename = Field(PackageField.Filename)!;
        if (RepositoryPath.Problem(filename) is { } problem)
            throw new VerificationException(
                $"{IndexName}:{Line}: package '{Name}' has the Filename '{filename}', which leaves the repository " +
                $"({problem}); the index is hostile or broken, so nothing is fetched from it.");
        long? installed = long.TryParse(Field(PackageField.InstalledSize), out var kib) ? kib : null;
        if (installed > PackageSizes.MaxKiB)
            throw PackageSizes.Absurd($"{IndexName}:{Line}: package '{Name}'", "Installed-Size", $"{installed} KiB");
        return new Details
        {
            Section = Field(PackageField.Section),
            Filename = filename,
            Sha256 = Field(PackageField.Sha256) is { } sha ? LowerHex(sha) : null,
            InstalledSizeKiB = installed,
            Source = source,
            SourceVersion = sourceVersion,
            Depends = Field(PackageField.Depends),
            PreDepends = Field(PackageField.PreDepends),
            Conflicts = Field(PackageField.Conflicts),
            Breaks = Field(PackageField.Breaks),
        };
    }

    /// <summary>Indices are lower-case already; only allocate when they are not.</summary>
    private static string LowerHex(string hex)
    {
        foreach (var c in hex)
            if (c is >= 'A' and <= 'Z') return hex.ToLowerInvariant();
        return hex;
    }

    private static (string, string?) ParseSource(string? field, string packageName)
    {
        if (string.IsNullOrWhiteSpace(field)) return (packageName, null);
        int paren = field.IndexOf('(');
        if (paren < 0) return (field.Trim(), null);
        var close = field.IndexOf(')', paren);
        var version = field[(paren + 1)..(close < 0 ? field.Length : close)].Trim();
        return (field[..paren].Trim(), version);
    }

    /// <summary>A non-negative integer as <see cref="long.TryParse(string, out long)"/> reads it; plain digits without a call.</summary>
    private static bool TryParseSize(ReadOnlySpan<byte> text, out long size)
    {
        size = 0;
        if (text.Length is > 0 and <= 18)
        {
            foreach (var b in text)
            {
                if (b is < (byte)'0' or > (byte)'9') goto General;
                size = size * 10 + (b - '0');
            }
            return true;
        }
    General:
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out size) && size >= 0;
    }

    private static bool IsYes(ReadOnlySpan<byte> value) => Ascii.EqualsIgnoreCase(value, "yes"u8);
}
