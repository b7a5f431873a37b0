using Bootstrapper.Core.Debian.Versions;

namespace Bootstrapper.Core.Debian.Control;

/// <summary>
/// One package reference of a relationship field (Debian Policy 7.1): <c>name[:qualifier] [(op version)]
/// [[arch ...]]</c>. Build profiles (<c>&lt;!nocheck&gt;</c>) are accepted and dropped: they only matter when
/// building from source, never for binary packages.
/// </summary>
internal sealed record Relation
{
    public required string Name { get; init; }
    /// <summary>Architecture qualifier after ':' ("any", "native" or an architecture name); null if none.</summary>
    public string? ArchQualifier { get; init; }
    /// <summary>Version constraint; null when the relation is unversioned (then <see cref="Version"/> is null too).</summary>
    public VersionRelation? Op { get; init; }
    public DebVersion? Version { get; init; }
    /// <summary>Architecture restriction list ("[amd64 !i386]" → "amd64", "!i386"); null if none.</summary>
    public IReadOnlyList<string>? Architectures { get; init; }

    /// <summary>True when a package (or provided name) of this version meets the version constraint.</summary>
    public bool AcceptsVersion(DebVersion version) => Op is not { } op || version.Satisfies(op, Version!);

    /// <summary>
    /// Whether the relation applies on <paramref name="hostArch"/> given its architecture restriction (Policy 7.1:
    /// a list of negated names applies unless the host matches one; a plain list applies if the host matches one).
    /// </summary>
    public bool AppliesTo(string hostArch)
    {
        if (Architectures is null) return true;
        bool negated = Architectures[0].StartsWith('!');
        foreach (var a in Architectures)
            if (ArchitectureWildcard.Matches(hostArch, negated ? a[1..] : a))
                return !negated;
        return negated;
    }

    public override string ToString()
    {
        var s = ArchQualifier is null ? Name : $"{Name}:{ArchQualifier}";
        if (Op is { } op) s += $" ({op.ToOperator()} {Version})";
        if (Architectures is not null) s += $" [{string.Join(' ', Architectures)}]";
        return s;
    }
}

/// <summary>Alternatives separated by '|' : satisfied when any one of them is.</summary>
internal sealed record RelationGroup(IReadOnlyList<Relation> Alternatives)
{
    public override string ToString() => string.Join(" | ", Alternatives);
}

/// <summary>Debian architecture wildcards (dpkg-architecture(1)): "any", "linux-any", "any-amd64".</summary>
internal static class ArchitectureWildcard
{
    public static bool Matches(string arch, string pattern)
    {
        if (pattern == arch || pattern == "any") return true;
        var (os, cpu) = Split(arch);
        int dash = pattern.IndexOf('-');
        if (dash < 0) return false;
        var pOs = pattern[..dash];
        var pCpu = pattern[(dash + 1)..];
        return (pOs == "any" || pOs == os) && (pCpu == "any" || pCpu == cpu);
    }

    /// <summary>"amd64" is linux-amd64; "kfreebsd-amd64", "hurd-i386" carry their OS as a prefix.</summary>
    private static (string Os, string Cpu) Split(string arch)
    {
        int dash = arch.IndexOf('-');
        return dash < 0 ? ("linux", arch) : (arch[..dash], arch[(dash + 1)..]);
    }
}
