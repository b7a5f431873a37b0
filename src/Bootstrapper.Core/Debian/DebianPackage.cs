using Bootstrapper.Core.Errors;

namespace Bootstrapper.Core.Debian;

/// <summary>
/// One binary package stanza of a Packages index (deb822 fields per Debian Policy 5.3), with its relationship
/// fields parsed. Relationship fields are parsed on first use: a universe holds ~63k packages and a resolution
/// looks at a few hundred.
/// </summary>
public sealed class DebianPackage
{
    /// <summary>
    /// The fields <see cref="FromParagraph"/> reads, in <see cref="PackageField"/> order; pass
    /// <c>Fields.Contains</c> to <see cref="Deb822.Parse"/> to skip the rest.
    /// </summary>
    internal static readonly string[] FieldNames =
    [
        "Package", "Version", "Architecture", "Multi-Arch", "Essential", "Important", "Priority", "Section",
        "Filename", "Size", "SHA256", "Source", "Installed-Size", "Depends", "Pre-Depends", "Conflicts", "Breaks",
        "Provides",
    ];

    public static readonly IReadOnlySet<string> Fields = new HashSet<string>(FieldNames, StringComparer.OrdinalIgnoreCase);

    private readonly string? _depends, _preDepends, _conflicts, _breaks;
    private IReadOnlyList<RelationGroup>? _parsedDepends, _parsedPreDepends, _parsedConflicts, _parsedBreaks;

    private DebianPackage(string? depends, string? preDepends, string? conflicts, string? breaks)
    {
        _depends = depends;
        _preDepends = preDepends;
        _conflicts = conflicts;
        _breaks = breaks;
    }

    public required string Name { get; init; }
    public required DebVersion Version { get; init; }
    /// <summary>The Architecture field: a Debian architecture name or "all".</summary>
    public required string Architecture { get; init; }
    public MultiArch MultiArch { get; init; }
    /// <summary>Essential: yes — dpkg refuses to remove it, and every package may rely on it without declaring it.</summary>
    public bool Essential { get; init; }
    /// <summary>Important: yes — apt treats it like Essential when ranking providers.</summary>
    public bool Important { get; init; }
    public PackagePriority Priority { get; init; }
    public string? PriorityText { get; init; }
    public string? Section { get; init; }
    /// <summary>Path relative to <see cref="RepositoryUrl"/> ("pool/main/...").</summary>
    public required string Filename { get; init; }
    public required long Size { get; init; }
    /// <summary>Lower-case hex SHA-256 of the .deb, or null if the index does not give one.</summary>
    public string? Sha256 { get; init; }
    public long? InstalledSizeKiB { get; init; }
    /// <summary>Source package name (the Source field without its version, or the package name).</summary>
    public required string Source { get; init; }
    /// <summary>Source version when the Source field gives one ("Source: foo (1.2-3)"), else null (same as Version).</summary>
    public string? SourceVersion { get; init; }
    public IReadOnlyList<ProvidedName> Provides { get; init; } = [];
    public required string RepositoryUrl { get; init; }
    /// <summary>The index it was read from (see <see cref="PackagesIndex.SourceName"/>).</summary>
    public required string IndexName { get; init; }
    /// <summary>Pin priority of that index (see <see cref="PackagesIndex.PinPriority"/>).</summary>
    public int PinPriority { get; init; } = PackagesIndex.DefaultPin;
    /// <summary>Line of the stanza in that index.</summary>
    public int Line { get; init; }

    public IReadOnlyList<RelationGroup> Depends => _parsedDepends ??= ParseField("Depends", _depends);
    public IReadOnlyList<RelationGroup> PreDepends => _parsedPreDepends ??= ParseField("Pre-Depends", _preDepends);
    public IReadOnlyList<RelationGroup> Conflicts => _parsedConflicts ??= ParseField("Conflicts", _conflicts);
    public IReadOnlyList<RelationGroup> Breaks => _parsedBreaks ??= ParseField("Breaks", _breaks);

    /// <summary>The field as written, for reasons ("Depends: libc6 (>= 2.34)").</summary>
    public string? RawField(string field) => field switch
    {
        "Depends" => _depends,
        "Pre-Depends" => _preDepends,
        "Conflicts" => _conflicts,
        "Breaks" => _breaks,
        _ => null,
    };

    /// <summary>"name version arch", the way apt prints a version.</summary>
    public override string ToString() => $"{Name} {Version} {Architecture}";

    /// <summary>
    /// Reads a Packages stanza. Throws <see cref="ResolutionException"/> naming the index, line and package when a
    /// required field is missing or malformed.
    /// </summary>
    public static DebianPackage FromParagraph(Deb822Paragraph p, string repositoryUrl, string indexName)
    {
        var values = new string?[FieldNames.Length];
        for (int i = 0; i < values.Length; i++) values[i] = p[FieldNames[i]];
        return FromFields(values, p.Line, repositoryUrl, indexName);
    }

    /// <summary>Same, from values indexed by <see cref="PackageField"/> (what <see cref="PackagesIndexReader"/> collects).</summary>
    internal static DebianPackage FromFields(string?[] f, int line, string repositoryUrl, string indexName,
        int pinPriority = PackagesIndex.DefaultPin)
    {
        var name = f[(int)PackageField.Package];
        string Where() => $"{indexName}:{line}: package '{name ?? "?"}'";
        string Required(PackageField field) => f[(int)field] is { Length: > 0 } v
            ? v
            : throw new ResolutionException(
                $"{Where()} has no {FieldNames[(int)field]} field; the index is malformed, refresh it or fix the repository");

        name = Required(PackageField.Package);
        var versionText = Required(PackageField.Version);
        if (!DebVersion.TryParse(versionText, out var version, out var versionError))
            throw new ResolutionException($"{Where()} has an invalid Version '{versionText}': {versionError}");
        var sizeText = Required(PackageField.Size);
        if (!long.TryParse(sizeText, out var size) || size < 0)
            throw new ResolutionException($"{Where()} has an invalid Size '{sizeText}'");

        long? installedSize = long.TryParse(f[(int)PackageField.InstalledSize], out var isz) ? isz : null;
        var (source, sourceVersion) = ParseSource(f[(int)PackageField.Source], name);
        MultiArch multiArch;
        IReadOnlyList<ProvidedName> provides;
        try
        {
            multiArch = PackageFieldValues.ParseMultiArch(f[(int)PackageField.MultiArch]);
            provides = ParseProvides(f[(int)PackageField.Provides]);
        }
        catch (FormatException e)
        {
            throw new ResolutionException($"{Where()}: {e.Message}", e);
        }

        var priority = f[(int)PackageField.Priority];
        return new DebianPackage(f[(int)PackageField.Depends], f[(int)PackageField.PreDepends],
            f[(int)PackageField.Conflicts], f[(int)PackageField.Breaks])
        {
            Name = name,
            Version = version,
            Architecture = Required(PackageField.Architecture),
            MultiArch = multiArch,
            Essential = IsYes(f[(int)PackageField.Essential]),
            Important = IsYes(f[(int)PackageField.Important]),
            Priority = PackageFieldValues.ParsePriority(priority),
            PriorityText = priority,
            Section = f[(int)PackageField.Section],
            Filename = Required(PackageField.Filename),
            Size = size,
            Sha256 = f[(int)PackageField.Sha256] is { } sha ? LowerHex(sha) : null,
            InstalledSizeKiB = installedSize,
            Source = source,
            SourceVersion = sourceVersion,
            Provides = provides,
            RepositoryUrl = repositoryUrl,
            IndexName = indexName,
            PinPriority = pinPriority,
            Line = line,
        };
    }

    /// <summary>Indices are lower-case already; only allocate when they are not.</summary>
    private static string LowerHex(string hex)
    {
        foreach (var c in hex)
            if (c is >= 'A' and <= 'Z') return hex.ToLowerInvariant();
        return hex;
    }

    private IReadOnlyList<RelationGroup> ParseField(string field, string? text)
    {
        try
        {
            return RelationParser.Parse(text);
        }
        catch (FormatException e)
        {
            throw new ResolutionException(
                $"{IndexName}:{Line}: package '{Name}' has a malformed {field} field: {e.Message}", e);
        }
    }

    /// <summary>Provides entries may only carry "(= version)" (Policy 7.5); alternatives are not allowed.</summary>
    private static IReadOnlyList<ProvidedName> ParseProvides(string? text)
    {
        var groups = RelationParser.Parse(text);
        if (groups.Count == 0) return [];
        var result = new ProvidedName[groups.Count];
        for (int i = 0; i < groups.Count; i++)
        {
            if (groups[i].Alternatives.Count != 1)
                throw new FormatException($"Provides may not contain alternatives: '{groups[i]}'");
            var r = groups[i].Alternatives[0];
            if (r.Op is { } op && op != VersionRelation.Equal)
                throw new FormatException($"Provides may only use '=' versions: '{r}'");
            result[i] = new ProvidedName(r.Name, r.Version);
        }
        return result;
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

    private static bool IsYes(string? value) => string.Equals(value, "yes", StringComparison.OrdinalIgnoreCase);
}

/// <summary>Index of each field in <see cref="DebianPackage.FieldNames"/>.</summary>
internal enum PackageField
{
    Package, Version, Architecture, MultiArch, Essential, Important, Priority, Section, Filename, Size, Sha256,
    Source, InstalledSize, Depends, PreDepends, Conflicts, Breaks, Provides,
}
