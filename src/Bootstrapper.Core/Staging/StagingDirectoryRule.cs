using System.Globalization;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Core.Staging;

/// <summary>What lstat found at one path on the way to the staging directory (a symlink is not followed).</summary>
internal readonly record struct PathFacts(string Path, PathKind Kind, uint Owner, uint Mode);

internal enum PathKind { Directory, Symlink, Other }

/// <summary>Where the staging directory came from: it decides what the refusal tells the user to do.</summary>
internal enum StagingSource
{
    /// <summary>BOOTSTRAP_STAGING_DIR.</summary>
    Variable,
    /// <summary>/dev/shm/bootstrap-staging, shared by every build on the host and gone after a reboot.</summary>
    SharedMemoryDefault,
    /// <summary>CACHE/staging.</summary>
    CacheDefault,
}

/// <summary>
/// Who may control the staging directory. The build runs programs from the root it stages there, as the user
/// running the build (root): whoever can rename, replace or retarget the staging directory or any directory above
/// it can swap that root for a tree of their own mid-build. So the staging directory must be a real directory
/// owned by that user, and every directory above it owned by root or that user; none may be writable by group or
/// others unless it has the sticky bit (/tmp, /dev/shm), where only an entry's owner can rename or delete it.
/// </summary>
internal static class StagingDirectoryRule
{
    private const uint GroupOrOtherWrite = 0b000_010_010;
    private const uint Sticky = 0x200;

    /// <summary>
    /// Null when <paramref name="facts"/> (the staging directory itself, or one of its ancestors) is safe; else the
    /// refusal (exit 2, a bad setting) naming the directory, the owner and mode found, and what to do.
    /// </summary>
    public static BootstrapException? Refusal(string directory, StagingSource source, PathFacts facts, bool isAncestor,
        uint user)
    {
        var problem = isAncestor ? ProblemWithAncestor(facts, user) : ProblemWithDirectory(facts, user);
        if (problem is null) return null;
        var elsewhere = $"set BOOTSTRAP_STAGING_DIR to a directory owned by {Name(user)} that nobody else can write to";
        var fix = (isAncestor, source, facts.Kind) switch
        {
            (true, _, _) => $"Make '{facts.Path}' owned by root and not writable by others (or sticky, as /tmp is), or {elsewhere}, outside it.",
            (_, StagingSource.Variable, PathKind.Directory) =>
                $"Fix it (chown {user} '{directory}' && chmod 0700 '{directory}'), or {elsewhere}.",
            (_, StagingSource.Variable, _) => $"Set BOOTSTRAP_STAGING_DIR to a real directory owned by {Name(user)} that nobody else can write to.",
            _ => $"Remove it (rm -rf '{directory}'; the build recreates it, mode 0700), or {elsewhere}.",
        };
        var what = source switch
        {
            StagingSource.Variable => "BOOTSTRAP_STAGING_DIR",
            StagingSource.SharedMemoryDefault => "the default staging directory in /dev/shm",
            _ => "the default staging directory in the cache",
        };
        return new BootstrapException(ExitCodes.UsageOrRecipe,
            $"refusing the staging directory '{directory}' ({what}): {problem}: another user could swap the build's " +
            $"root for a tree of their own and the build would run their programs as {Name(user)}. {fix}");
    }

    private static string? ProblemWithDirectory(PathFacts f, uint user) => f.Kind switch
    {
        PathKind.Symlink => $"it is a symlink (owner {Name(f.Owner)})",
        PathKind.Other => $"it is not a directory (owner {Name(f.Owner)}, mode {Octal(f.Mode)})",
        _ when f.Owner != user => $"it is owned by {Name(f.Owner)} (mode {Octal(f.Mode)}), not by {Name(user)}, who runs the build",
        _ => Writable("it", f),
    };

    private static string? ProblemWithAncestor(PathFacts f, uint user)
    {
        var it = $"its ancestor '{f.Path}'";
        return f.Kind switch
        {
            PathKind.Other => $"{it} is not a directory (owner {Name(f.Owner)}, mode {Octal(f.Mode)})",
            // A symlink's own mode means nothing; its owner can replace it, even in a sticky directory.
            PathKind.Symlink when f.Owner != 0 && f.Owner != user =>
                $"{it} is a symlink owned by {Name(f.Owner)}, {NeitherRootNor(user)}",
            PathKind.Symlink => null,
            _ when f.Owner != 0 && f.Owner != user =>
                $"{it} is owned by {Name(f.Owner)} (mode {Octal(f.Mode)}), {NeitherRootNor(user)}",
            _ => Writable(it, f),
        };
    }

    private static string? Writable(string it, PathFacts f) =>
        (f.Mode & GroupOrOtherWrite) != 0 && (f.Mode & Sticky) == 0
            ? $"{it} is writable by group or others without the sticky bit (owner {Name(f.Owner)}, mode {Octal(f.Mode)})"
            : null;

    private static string NeitherRootNor(uint user) =>
        user == 0 ? "not by root, who runs the build" : $"neither by root nor by {Name(user)}, who runs the build";

    private static string Name(uint uid) => uid == 0 ? "root" : "uid " + uid.ToString(CultureInfo.InvariantCulture);

    private static string Octal(uint mode) => Convert.ToString(mode & 0xFFF, 8).PadLeft(4, '0');
}
