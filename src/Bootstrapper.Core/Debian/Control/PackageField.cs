namespace Bootstrapper.Core.Debian.Control;

/// <summary>The fields of a Packages stanza the reader looks at; every other field (Description...) is skipped.</summary>
internal enum PackageField
{
    Package, Version, Architecture, MultiArch, Essential, Important, Priority, Section, Filename, Size, Sha256,
    Source, InstalledSize, Depends, PreDepends, Conflicts, Breaks, Provides,
    // Only read for the names they mention (AptCacheOrder).
    Recommends, Suggests, Replaces, Enhances,
}

internal static class PackageFields
{
    /// <summary>How many <see cref="PackageField"/>s there are (the size of a stanza's field table).</summary>
    public const int Count = (int)PackageField.Enhances + 1;

    private static readonly string[] Names =
    [
        "Package", "Version", "Architecture", "Multi-Arch", "Essential", "Important", "Priority", "Section",
        "Filename", "Size", "SHA256", "Source", "Installed-Size", "Depends", "Pre-Depends", "Conflicts", "Breaks",
        "Provides", "Recommends", "Suggests", "Replaces", "Enhances",
    ];

    /// <summary>The field's name as the archive writes it.</summary>
    public static string Name(PackageField field) => Names[(int)field];

    /// <summary>
    /// The relationship fields in the order apt's cache generator reads them (debListParser::NewVersion), after
    /// the stanza's own Package: each target it names is created in this order.
    /// </summary>
    public static readonly PackageField[] MentionOrder =
    [
        PackageField.PreDepends, PackageField.Depends, PackageField.Conflicts, PackageField.Breaks,
        PackageField.Recommends, PackageField.Suggests, PackageField.Replaces, PackageField.Enhances,
        PackageField.Provides,
    ];
}
