using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Os.Native;

namespace Bootstrapper.Engine.Archives;

/// <summary>
/// Resolves member paths inside the staging root the way the kernel would inside a chroot of it: an absolute
/// symlink target starts again at the root, and ".." at the root stays at the root. So a symlink already in the
/// root (bookworm's merged-/usr `bin -&gt; usr/bin`, base-files' `var/run -&gt; /run`, or a hostile
/// `etc -&gt; /host/etc` left by an earlier package) is followed, but always lands inside the root. The one thing
/// refused outright is going through a symlink that the archive being extracted created itself: a tar made from a
/// real directory tree never has members below its own symlinks, so such an archive is an attack.
/// The returned paths consist of real directories only, so the kernel follows no symlink when we then use them.
/// Directories are never replaced or removed during extraction, so a cached resolution stays valid even while
/// another extraction works in the same root; only replacing a symlink (which we may have walked through) clears it.
/// Maintainer scripts can change anything, which is why a resolver lives for one archive only.
/// </summary>
internal sealed class RootPathResolver
{
    private const int MaxSymlinks = 40; // Linux's MAXSYMLINKS
    private readonly string _root;
    private readonly string _label;
    // Lexical relative directory -> absolute physical path; valid as long as no symlink is replaced (Invalidate).
    private readonly Dictionary<string, string> _directories = new(StringComparer.Ordinal);
    private readonly HashSet<string> _ownSymlinks = new(StringComparer.Ordinal);

    public RootPathResolver(string root, string label)
    {
        _root = root;
        _label = label;
    }

    /// <summary>Directories this resolver created because members needed them as parents, in creation order.</summary>
    public List<string> CreatedParents { get; } = [];

    public void AddOwnSymlink(string physicalPath) => _ownSymlinks.Add(physicalPath);

    public bool IsOwnSymlink(string physicalPath) => _ownSymlinks.Contains(physicalPath);

    /// <summary>Called when a symlink is removed or replaced: cached resolutions may have gone through it.</summary>
    public void Invalidate(string physicalPath)
    {
        _ownSymlinks.Remove(physicalPath);
        _directories.Clear();
    }

    public void Remember(string relative, string physical) => _directories[relative] = physical;

    /// <summary>
    /// The physical directory for a relative directory path, following symlinks (chroot-style) and creating
    /// missing directories (mode 0755, like tar does for parents an archive does not list).
    /// </summary>
    public string ResolveDirectory(string relative, string member)
    {
        if (relative.Length == 0) return _root;
        if (_directories.TryGetValue(relative, out var cached)) return cached;
        int slash = relative.LastIndexOf('/');
        string parent = ResolveDirectory(slash < 0 ? "" : relative[..slash], member);
        string name = slash < 0 ? relative : relative[(slash + 1)..];
        string path = parent + "/" + name;
        string physical;
        bool created = false;
        if (!LibC.TryLstat(path, out var status))
        {
            created = CreateDirectory(path);
            // Not created: it appeared meanwhile (a parallel extraction), so look at what it is.
            if (!created && !LibC.TryLstat(path, out status)) throw new IOException($"'{path}' keeps appearing and vanishing");
        }
        if (created || status.IsDirectory)
        {
            physical = path;
        }
        else if (status.IsSymlink)
        {
            physical = Walk(ToComponents(parent), [name], member, createMissing: true);
        }
        else
        {
            throw MemberPath.Refuse(_label, "member", member, $"needs '/{relative}' to be a directory, but it is a file");
        }
        _directories[relative] = physical;
        return physical;
    }

    /// <summary>
    /// Follows the symlink at a physical path (whose parent is physical) to its final physical target inside the
    /// root, or returns null when the target does not exist or is not a directory.
    /// </summary>
    public string? TryFollowToDirectory(string physicalLink, string member)
    {
        int slash = physicalLink.LastIndexOf('/');
        string physical = Walk(ToComponents(physicalLink[..slash]), [physicalLink[(slash + 1)..]], member, createMissing: false);
        return LibC.TryLstat(physical, out var status) && status.IsDirectory ? physical : null;
    }

    /// <summary>
    /// The physical path a relative path names inside the root: parents followed chroot-style (nothing created), the
    /// last component not followed. Null when a parent is missing or not a directory (then nothing is there).
    /// </summary>
    public string? ExistingPhysicalPath(string relative)
    {
        relative = relative.Trim('/');
        int slash = relative.LastIndexOf('/');
        string parent = slash < 0 ? _root : Walk([], relative[..slash].Split('/'), relative, createMissing: false);
        if (!LibC.TryLstat(parent, out var status) || !status.IsDirectory) return null;
        return parent + "/" + relative[(slash + 1)..];
    }

    /// <summary>
    /// Whether something (of any type) exists at the relative path inside the root, its parents followed
    /// chroot-style as <see cref="ResolveDirectory"/> does, but nothing created and the last component not followed.
    /// </summary>
    public bool ExistsInRoot(string relative)
    {
        int slash = relative.LastIndexOf('/');
        string parent = slash < 0 ? _root : Walk([], relative[..slash].Split('/'), relative, createMissing: false);
        if (!LibC.TryLstat(parent, out var status) || !status.IsDirectory) return false;
        return LibC.TryLstat(parent + "/" + relative[(slash + 1)..], out _);
    }

    /// <summary>
    /// The physical path the whole relative path names, every symlink followed chroot-style, the last one too (what
    /// open() inside the chroot would reach): null when nothing is there, a parent is not a directory, or the links
    /// loop. For reading the root's own files (etc/passwd, a copyright file): a link can never lead to the host's.
    /// </summary>
    public string? FollowAll(string relative)
    {
        try
        {
            for (int links = 0; links <= MaxSymlinks; links++)
            {
                relative = relative.Trim('/');
                int slash = relative.LastIndexOf('/');
                // Walk follows the links of the directories on the way; the last component is looked at here.
                string parent = slash < 0 ? _root : Walk([], relative[..slash].Split('/'), relative, createMissing: false);
                string path = parent + "/" + relative[(slash + 1)..];
                if (!LibC.TryLstat(parent, out var dir) || !dir.IsDirectory || !LibC.TryLstat(path, out var status)) return null;
                if (!status.IsSymlink) return path;
                string target = new FileInfo(path).LinkTarget ?? throw new IOException($"'{path}' changed while being resolved");
                // An absolute target starts again at the root; a relative one from the link's directory.
                relative = target.StartsWith('/') ? target : Display(parent).TrimStart('/') + "/" + target;
            }
            return null; // too many levels of symbolic links
        }
        catch (InstallException)
        {
            return null; // Walk refuses a non-directory parent or a loop: nothing there to read
        }
    }

    /// <summary>
    /// mkdir with mode 0755 (what tar gives parents an archive does not list). When the name already exists
    /// (another extraction created it since our lstat), returns false so the caller looks at it again: trusting it
    /// to be a directory could mean writing through a symlink.
    /// </summary>
    private bool CreateDirectory(string path)
    {
        if (!LibC.TryMkdir(path, 0x1ED)) return false;
        LibC.ChmodNoFollow(path, 0x1ED); // whatever the umask
        CreatedParents.Add(path);
        return true;
    }

    /// <summary>
    /// Resolves <paramref name="pending"/> components starting from the physical components <paramref name="start"/>,
    /// following every symlink. With createMissing, absent components become directories; otherwise the walk stops
    /// at the first absent one and returns the path up to and including it.
    /// </summary>
    private string Walk(List<string> start, IEnumerable<string> pending, string member, bool createMissing)
    {
        var physical = start;
        var todo = new Stack<string>(pending.Reverse());
        int links = 0;
        while (todo.Count > 0)
        {
            string part = todo.Pop();
            if (part.Length == 0 || part == ".") continue;
            if (part == "..")
            {
                if (physical.Count > 0) physical.RemoveAt(physical.Count - 1); // ".." at the root stays there
                continue;
            }
            string path = Join(physical, part);
            if (!LibC.TryLstat(path, out var status))
            {
                if (!createMissing)
                {
                    physical.Add(part);
                    break;
                }
                if (!CreateDirectory(path)) todo.Push(part); // appeared meanwhile: look at it again
                else physical.Add(part);
                continue;
            }
            if (status.IsSymlink)
            {
                if (_ownSymlinks.Contains(path))
                    throw MemberPath.Refuse(_label, "member", member,
                        $"would be written through the symlink '{Display(path)}' that the same package installs");
                if (++links > MaxSymlinks)
                    throw MemberPath.Refuse(_label, "member", member, "goes through too many levels of symbolic links");
                string target = new FileInfo(path).LinkTarget ?? throw new IOException($"'{path}' changed while being resolved");
                if (target.StartsWith('/')) physical.Clear(); // absolute targets start again at the root
                foreach (var t in target.Split('/').Reverse()) todo.Push(t);
                continue;
            }
            if (!status.IsDirectory)
                throw MemberPath.Refuse(_label, "member", member, $"needs '{Display(path)}' to be a directory, but it is not");
            physical.Add(part);
        }
        return Join(physical, null);
    }

    private List<string> ToComponents(string physicalPath)
    {
        if (physicalPath.Length <= _root.Length) return [];
        return [.. physicalPath[(_root.Length + 1)..].Split('/')];
    }

    private string Join(List<string> components, string? last)
    {
        var builder = new System.Text.StringBuilder(_root);
        foreach (var c in components) builder.Append('/').Append(c);
        if (last is not null) builder.Append('/').Append(last);
        return builder.ToString();
    }

    /// <summary>A physical path shown as the package sees it ("/usr/bin/x").</summary>
    public string Display(string physicalPath) => physicalPath.Length <= _root.Length ? "/" : physicalPath[_root.Length..];
}
