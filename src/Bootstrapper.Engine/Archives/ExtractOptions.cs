using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Planning;
using Bootstrapper.Engine.Os.Native;

namespace Bootstrapper.Engine.Archives;

/// <summary>How <see cref="SafeExtractor"/> writes members.</summary>
internal sealed record ExtractOptions
{
    /// <summary>Set numeric owners from the tar (lchown). Needs root; defaults to whether we are root.</summary>
    public bool ApplyOwners { get; init; } = LibC.Geteuid() == 0;

    /// <summary>Create character and block devices (mknod). Needs root; when false such members are refused.</summary>
    public bool AllowDevices { get; init; } = LibC.Geteuid() == 0;

    /// <summary>Compute the MD5 of regular files while writing them (dpkg's md5sums format: lowercase hex).</summary>
    public bool ComputeMd5 { get; init; }

    /// <summary>
    /// Members to leave out, by normalized relative path ("usr/share/doc/x"): like dpkg's path-exclude for slimmer
    /// images, or an .apk's metadata files (".PKGINFO", ".SIGN.*") that belong to the package, not the root.
    /// Left-out members are not in <see cref="ExtractedPackage.Paths"/>. Safety checks run first, so a hostile
    /// name is refused even if it would have been left out.
    /// </summary>
    public Func<string, bool>? Exclude { get; init; }

    /// <summary>
    /// Members to hand back as well, with their data (<see cref="ExtractedPackage.Kept"/>), by normalized relative
    /// path and member, asked once per member in archive order (Debian's installer keeps a package's conffiles this way,
    /// to hand them to dpkg when it records a package whose files we extracted ourselves).
    /// </summary>
    public Func<string, System.Formats.Tar.TarEntry, bool>? Keep { get; init; }

    /// <summary>
    /// How much the archive may write: regular-file bytes plus 1 KiB per member (its inode and name). Passing it
    /// stops the extraction with an <see cref="InstallException"/> while the file is being written;
    /// null: no limit (an archive the caller built itself).
    /// </summary>
    public UnpackLimit? Limit { get; init; }
}

/// <summary>What one archive put into the root.</summary>
/// <param name="Paths">
/// Member paths in archive order as dpkg's info/PKG.list has them: "/." first, then "/usr", "/usr/bin/x", ...
/// (the path named in the archive, not where a symlinked parent made it land).
/// </param>
/// <param name="Md5Sums">Relative path ("usr/bin/x") to lowercase hex MD5, when requested; otherwise empty.</param>
/// <param name="FileBytes">Bytes of regular-file data written.</param>
internal sealed record ExtractedPackage(IReadOnlyList<string> Paths, IReadOnlyDictionary<string, string> Md5Sums, long FileBytes)
{
    /// <summary>
    /// Every directory the archive needed, in archive order, at its physical path: its directory members (with the
    /// member's metadata) and parents it had to create without a member (metadata null).
    /// </summary>
    public IReadOnlyList<DirectoryUse> Directories { get; init; } = [];

    /// <summary>Physical paths of the files, symlinks, hard links and nodes it created (replacing what was there).</summary>
    public IReadOnlyList<string> NonDirectories { get; init; } = [];

    /// <summary>Physical paths of symlinks that directory members met and followed (merged /usr's bin -> usr/bin).</summary>
    public IReadOnlyList<string> FollowedSymlinks { get; init; } = [];

    /// <summary>Physical paths of symlink members skipped because a directory was there (as dpkg does).</summary>
    public IReadOnlyList<string> SkippedSymlinks { get; init; } = [];

    /// <summary>
    /// Copies of the members <see cref="ExtractOptions.Keep"/> selected, in archive order, as GNU tar entries with
    /// their data in memory.
    /// </summary>
    public IReadOnlyList<System.Formats.Tar.TarEntry> Kept { get; init; } = [];

    /// <summary>The distinct owners the members name, as the archive gives them (user and group name and number).</summary>
    public IReadOnlyCollection<MemberOwner> Owners { get; init; } = [];
}

/// <summary>A member's owner as a tar header gives it: names (empty when absent) and numbers.</summary>
internal readonly record struct MemberOwner(string UserName, int Uid, string GroupName, int Gid);

/// <summary>A directory an archive used: where it is, and the member's owner, mode and mtime (null: no member).</summary>
internal sealed record DirectoryUse(string PhysicalPath, DirectoryMetadata? Member);

internal sealed record DirectoryMetadata(int Uid, int Gid, int Mode, long MTime);
