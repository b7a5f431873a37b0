using Bootstrapper.Core.Debian.Versions;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Core.Debian.Control;

/// <summary>
/// One binary package stanza of a Packages index (deb822 fields per Debian Policy 5.3).
/// </summary>
/// <remarks>
/// A universe holds ~66k packages and a resolution looks at a few hundred, so only what the universe and the
/// resolver need of every package (name, architecture, Essential, Important, Priority, Multi-Arch, Size,
/// Provides) is read with the index; the other fields, the version included, are read from the stanza's bytes
/// the first time one of them is asked for, and relationship fields are parsed on first use. Every stanza is
/// still checked up front for what makes an index malformed (required fields, Version syntax, Size, Multi-Arch,
/// Provides), so a broken index fails the plan whichever packages it resolves to.
/// </remarks>
internal sealed partial class DebianPackage
{
    /// <summary>
    /// The fields <see cref="FromParagraph"/> reads; pass <c>Fields.Contains</c> to <see cref="Deb822.Parse"/> to
    /// skip the rest.
    /// </summary>
    internal static readonly string[] FieldNames =
        Enumerable.Range(0, (int)PackageField.Provides + 1).Select(i => PackageFields.Name((PackageField)i)).ToArray();

    public static readonly IReadOnlySet<string> Fields = new HashSet<string>(FieldNames, StringComparer.OrdinalIgnoreCase);

    private readonly StanzaSource _source;
    private readonly int _start, _end;
    private Details? _details;

    public string Name { get; }
    public DebVersion Version => field ??= ReadVersion();
    /// <summary>The Architecture field: a Debian architecture name or "all".</summary>
    public string Architecture { get; }
    public MultiArch MultiArch { get; }
    /// <summary>Essential: yes — dpkg refuses to remove it, and every package may rely on it without declaring it.</summary>
    public bool Essential { get; }
    /// <summary>Important: yes — apt treats it like Essential when ranking providers.</summary>
    public bool Important { get; }
    public PackagePriority Priority { get; }
    public string? PriorityText { get; }
    public string? Section => Read().Section;
    /// <summary>Path relative to <see cref="RepositoryUrl"/> ("pool/main/...").</summary>
    public string Filename => Read().Filename;
    public long Size { get; }
    /// <summary>Lower-case hex SHA-256 of the .deb, or null if the index does not give one.</summary>
    public string? Sha256 => Read().Sha256;
    public long? InstalledSizeKiB => Read().InstalledSizeKiB;
    /// <summary>Source package name (the Source field without its version, or the package name).</summary>
    public string Source => Read().Source;
    /// <summary>Source version when the Source field gives one ("Source: foo (1.2-3)"), else null (same as Version).</summary>
    public string? SourceVersion => Read().SourceVersion;
    public IReadOnlyList<ProvidedName> Provides { get; }
    public string RepositoryUrl => _source.RepositoryUrl;
    /// <summary>The index it was read from (see <see cref="PackagesIndex.SourceName"/>).</summary>
    public string IndexName => _source.IndexName;
    /// <summary>Pin priority of that index (see <see cref="PackagesIndex.PinPriority"/>).</summary>
    public int PinPriority => _source.PinPriority;
    /// <summary>Line of the stanza in that index.</summary>
    public int Line { get; }

    public IReadOnlyList<RelationGroup> Depends => field ??= ParseField("Depends", Read().Depends);
    public IReadOnlyList<RelationGroup> PreDepends => field ??= ParseField("Pre-Depends", Read().PreDepends);
    public IReadOnlyList<RelationGroup> Conflicts => field ??= ParseField("Conflicts", Read().Conflicts);
    public IReadOnlyList<RelationGroup> Breaks => field ??= ParseField("Breaks", Read().Breaks);

    /// <summary>The field as written, for reasons ("Depends: libc6 (>= 2.34)").</summary>
    public string? RawField(string field) => field switch
    {
        "Depends" => Read().Depends,
        "Pre-Depends" => Read().PreDepends,
        "Conflicts" => Read().Conflicts,
        "Breaks" => Read().Breaks,
        _ => null,
    };

    /// <summary>"name version arch", the way apt prints a version.</summary>
    public override string ToString() => $"{Name} {Version} {Architecture}";

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

    /// <summary>The fields read on first use; see <see cref="Read()"/>.</summary>
    private sealed class Details
    {
        public string? Section { get; init; }
        public required string Filename { get; init; }
        public string? Sha256 { get; init; }
        public long? InstalledSizeKiB { get; init; }
        public required string Source { get; init; }
        public string? SourceVersion { get; init; }
        public string? Depends { get; init; }
        public string? PreDepends { get; init; }
        public string? Conflicts { get; init; }
        public string? Breaks { get; init; }
    }
}

/// <summary>The index bytes a <see cref="DebianPackage"/> reads its stanza from, and where the index came from.</summary>
internal sealed record StanzaSource(ReadOnlyMemory<byte> Utf8, string RepositoryUrl, string IndexName, int PinPriority)
{
    public static StanzaSource Of(PackagesIndex index) => new(
        index.Utf8.IsEmpty && index.Text.Length > 0 ? System.Text.Encoding.UTF8.GetBytes(index.Text) : index.Utf8,
        index.RepositoryUrl, index.SourceName, index.PinPriority);
}
