using System.Buffers;
using System.Formats.Tar;
using System.Security.Cryptography;
using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Os.Native;

namespace Bootstrapper.Engine.Archives;

/// <summary>
/// Extracts package tars into a staging root so that nothing is created or written outside it (see
/// <see cref="RootPathResolver"/> for how symlinks already in the root are treated). Follows dpkg where the tar
/// and the root disagree: an existing directory stays a directory (a symlink member does not replace it, and a
/// file member is refused), while an existing file or symlink is replaced, never written through. Regular files are
/// created with O_CREAT|O_EXCL after removing what was there, so a symlink at the final component is never followed,
/// and their owner, mode and times are set through the descriptor, never the path again. Directories are made with
/// mkdir and re-examined when it reports that something appeared. So several archives may be extracted into one
/// root at the same time (from several threads) without any of them being able to redirect another outside the
/// root; which of two conflicting packages wins a path is then unspecified, as it is for dpkg without Replaces.
/// </summary>
internal sealed class SafeExtractor
{
    private const int BufferSize = 256 * 1024;
    /// <summary>What a member costs besides its data, for <see cref="ExtractOptions.Limit"/>: an inode and a name.</summary>
    private const int MemberCost = 1024;
    private readonly ExtractOptions _options;

    public SafeExtractor(string rootDir, ExtractOptions? options = null)
    {
        RootDir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(rootDir));
        if (!Directory.Exists(RootDir)) throw new InstallException($"staging root '{RootDir}' does not exist");
        _options = options ?? new ExtractOptions();
    }

    public string RootDir { get; }

    /// <param name="packageLabel">Names the package in messages, e.g. "package 'bash' 5.2.15-2+b2".</param>
    public ExtractedPackage Extract(TarReader tar, string packageLabel, CancellationToken cancellationToken = default)
    {
        var run = new Run(this, packageLabel, cancellationToken);
        return run.Execute(tar);
    }

    /// <summary>The state of one archive's extraction: caches must not outlive it (scripts may change the root).</summary>
    private sealed class Run(SafeExtractor owner, string label, CancellationToken cancellationToken)
    {
        private readonly ExtractOptions _options = owner._options;
        private readonly RootPathResolver _resolver = new(owner.RootDir, label);
        private readonly Dictionary<string, string> _nonDirectories = new(StringComparer.Ordinal); // relative -> physical
        private readonly List<(string Path, TarEntry Entry)> _createdDirectories = [];
        private readonly List<string> _paths = ["/."];
        private readonly List<DirectoryUse> _directoryUses = [];
        private readonly List<string> _nonDirectoryPaths = [];
        private readonly List<string> _followedSymlinks = [];
        private readonly List<string> _skippedSymlinks = [];
        private readonly Dictionary<string, string> _md5 = new(StringComparer.Ordinal);
        private readonly List<TarEntry> _kept = [];
        private readonly HashSet<MemberOwner> _owners = [];
        private MemoryStream? _keptData; // set while a kept regular file is written: its bytes are copied here
        private readonly IncrementalHash? _hash = owner._options.ComputeMd5 ? IncrementalHash.CreateHash(HashAlgorithmName.MD5) : null;
        private long _bytes;
        private long _written; // what counts against the limit: _bytes and MemberCost per member
        private string _member = "";

        public ExtractedPackage Execute(TarReader tar)
        {
            byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            try
            {
                while (NextEntry(tar) is { } entry)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    _member = entry.Name;
                    // A pax global header (what `git archive` and some Go-built .debs start with) describes the
                    // archive, not a file; what it sets (a comment, a default mtime) does not matter here.
                    if (entry.EntryType == TarEntryType.GlobalExtendedAttributes) continue;
                    string relative = MemberPath.Normalize(entry.Name, label);
                    if (relative.Length == 0)
                    {
                        if (entry.EntryType != TarEntryType.Directory)
                            throw MemberPath.Refuse(label, "member", entry.Name, "names the root but is not a directory");
                        continue; // "./": the root itself, already listed as "/."
                    }
                    if (_options.Exclude?.Invoke(relative) == true) continue; // TarReader skips its data
                    Count(MemberCost);

                    bool keep = _options.Keep?.Invoke(relative, entry) == true;
                    if (entry is PosixTarEntry named) _owners.Add(new MemberOwner(named.UserName, named.Uid, named.GroupName, named.Gid));
                    _keptData = keep && entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile
                        or TarEntryType.ContiguousFile ? new MemoryStream() : null;
                    try
                    {
                        ExtractEntry(entry, relative, buffer);
                        if (keep) _kept.Add(KeptCopy(entry));
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
                    {
                        throw new InstallException($"{label}: cannot extract member '{entry.Name}': {e.Message}", e);
                    }
                    _paths.Add("/" + relative);
                }
                // Last, so that creating children does not move directory mtimes, and so that a read-only
                // directory does not stop its own children from being written.
                for (int i = _createdDirectories.Count - 1; i >= 0; i--)
                {
                    var (path, entry) = _createdDirectories[i];
                    LibC.ChmodNoFollow(path, (uint)entry.Mode);
                    LibC.SetTimesNoFollow(path, entry.ModificationTime.ToUnixTimeSeconds());
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
                _hash?.Dispose();
            }
            return new ExtractedPackage(_paths, _md5, _bytes)
            {
                Directories = _directoryUses,
                NonDirectories = _nonDirectoryPaths,
                FollowedSymlinks = _followedSymlinks,
                SkippedSymlinks = _skippedSymlinks,
                Kept = _kept,
                Owners = _owners,
            };
        }

        /// <summary>A GNU-format copy of the member (names, owners, mode, times, link) with the data written.</summary>
        private TarEntry KeptCopy(TarEntry entry)
        {
            var type = entry.EntryType is TarEntryType.V7RegularFile or TarEntryType.ContiguousFile
                ? TarEntryType.RegularFile : entry.EntryType;
            var copy = new GnuTarEntry(type, entry.Name)
            {
                Mode = entry.Mode,
                Uid = entry.Uid,
                Gid = entry.Gid,
                ModificationTime = entry.ModificationTime,
                AccessTime = entry.ModificationTime,
                ChangeTime = entry.ModificationTime,
            };
            if (entry is PosixTarEntry posix)
            {
                copy.UserName = posix.UserName;
                copy.GroupName = posix.GroupName;
                if (type is TarEntryType.CharacterDevice or TarEntryType.BlockDevice)
                {
                    copy.DeviceMajor = posix.DeviceMajor;
                    copy.DeviceMinor = posix.DeviceMinor;
                }
            }
            if (type is TarEntryType.SymbolicLink or TarEntryType.HardLink) copy.LinkName = entry.LinkName;
            if (_keptData is { } data) copy.DataStream = new MemoryStream(data.GetBuffer(), 0, (int)data.Length, writable: false);
            _keptData = null;
            return copy;
        }

        private TarEntry? NextEntry(TarReader tar)
        {
            try
            {
                return tar.GetNextEntry();
            }
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or IOException
                                          or InvalidOperationException)
            {
                string after = _member.Length == 0 ? "at its start" : $"after member '{_member}'";
                throw new InstallException($"{label}: the data archive is corrupt {after}: {e.Message}. " +
                    "Delete the .deb from the cache and download it again.", e);
            }
        }

        private void ExtractEntry(TarEntry entry, string relative, byte[] buffer)
        {
            int slash = relative.LastIndexOf('/');
            int createdBefore = _resolver.CreatedParents.Count;
            string parent = _resolver.ResolveDirectory(slash < 0 ? "" : relative[..slash], entry.Name);
            for (int i = createdBefore; i < _resolver.CreatedParents.Count; i++)
                _directoryUses.Add(new DirectoryUse(_resolver.CreatedParents[i], null));
            string path = parent + "/" + (slash < 0 ? relative : relative[(slash + 1)..]);
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    ExtractDirectory(entry, relative, path);
                    return;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    if (!ClearSlot(path, entry)) return;
                    WriteFile(entry, relative, path, buffer);
                    _nonDirectories[relative] = path;
                    return;
                case TarEntryType.SymbolicLink:
                    if (!ClearSlot(path, entry)) return;
                    if (string.IsNullOrEmpty(entry.LinkName))
                        throw MemberPath.Refuse(label, "member", entry.Name, "is a symlink with an empty target");
                    File.CreateSymbolicLink(path, entry.LinkName);
                    _resolver.AddOwnSymlink(path);
                    break;
                case TarEntryType.HardLink:
                    string target = HardLinkTarget(entry);
                    if (!ClearSlot(path, entry)) return;
                    LibC.Link(target, path);
                    _nonDirectories[relative] = path;
                    // dpkg's generated md5sums list a hard link with its target's hash.
                    if (_hash is not null && _md5.TryGetValue(MemberPath.Normalize(entry.LinkName, label), out var linked))
                        _md5[relative] = linked;
                    return; // a hard link shares the target's inode: owner, mode and mtime are the target's
                case TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo:
                    if (entry.EntryType != TarEntryType.Fifo && !_options.AllowDevices)
                        throw MemberPath.Refuse(label, "member", entry.Name, "is a device node, which needs root to create");
                    if (!ClearSlot(path, entry)) return;
                    uint type = entry.EntryType switch
                    {
                        TarEntryType.CharacterDevice => LibC.S_IFCHR,
                        TarEntryType.BlockDevice => LibC.S_IFBLK,
                        _ => LibC.S_IFIFO,
                    };
                    var posix = (PosixTarEntry)entry;
                    LibC.Mknod(path, type | 0x180 /* 0600 until chmod */, (uint)posix.DeviceMajor, (uint)posix.DeviceMinor);
                    break;
                default:
                    throw MemberPath.Refuse(label, "member", entry.Name, $"has the unsupported tar type {entry.EntryType}");
            }
            _nonDirectories[relative] = path;
            ApplyMetadata(entry, path);
        }

        private void ExtractDirectory(TarEntry entry, string relative, string path)
        {
            if (LibC.TryLstat(path, out var status))
            {
                if (status.IsDirectory)
                {
                    _resolver.Remember(relative, path);
                    UseDirectory(path, entry);
                    return; // dpkg leaves an existing directory's owner and mode alone
                }
                if (status.IsSymlink)
                {
                    if (_resolver.IsOwnSymlink(path))
                        throw MemberPath.Refuse(label, "member", entry.Name,
                            $"would be written through the symlink '{_resolver.Display(path)}' that the same package installs");
                    // A symlink to a directory stands for it (merged /usr: a package's ./bin/ meets bin -> usr/bin).
                    if (_resolver.TryFollowToDirectory(path, entry.Name) is { } directory)
                    {
                        _resolver.Remember(relative, directory);
                        UseDirectory(directory, entry);
                        _followedSymlinks.Add(path);
                        return;
                    }
                    _resolver.Invalidate(path);
                }
                File.Delete(path); // a file, a dangling symlink, a device: a directory takes its place
                _nonDirectories.Remove(relative);
            }
            if (!LibC.TryMkdir(path, 0x1C0 /* 0700 until the real mode is set at the end */))
            {
                // Something appeared since the lstat (a parallel extraction): look again instead of trusting it.
                ExtractDirectory(entry, relative, path);
                return;
            }
            if (_options.ApplyOwners) LibC.Lchown(path, (uint)entry.Uid, (uint)entry.Gid);
            _createdDirectories.Add((path, entry));
            _resolver.Remember(relative, path);
            UseDirectory(path, entry);
        }

        private void UseDirectory(string physical, TarEntry entry) =>
            _directoryUses.Add(new DirectoryUse(physical,
                new DirectoryMetadata(entry.Uid, entry.Gid, (int)entry.Mode, entry.ModificationTime.ToUnixTimeSeconds())));

        /// <summary>
        /// Removes whatever is at the final component so the new member can be created there without following it.
        /// Returns false when the member must be skipped (a symlink member where a directory exists, like dpkg).
        /// </summary>
        private bool ClearSlot(string path, TarEntry entry)
        {
            if (!LibC.TryLstat(path, out var status))
            {
                _nonDirectoryPaths.Add(path);
                return true;
            }
            if (status.IsDirectory)
            {
                if (entry.EntryType == TarEntryType.SymbolicLink)
                {
                    _skippedSymlinks.Add(path);
                    return false;
                }
                throw MemberPath.Refuse(label, "member", entry.Name,
                    $"would replace the directory '{_resolver.Display(path)}' with a non-directory");
            }
            if (status.IsSymlink) _resolver.Invalidate(path);
            File.Delete(path);
            _nonDirectoryPaths.Add(path);
            return true;
        }

        private string HardLinkTarget(TarEntry entry)
        {
            string target = MemberPath.Normalize(entry.LinkName, label, $"member '{entry.Name}': hard link target");
            // Only a file this archive has already written may be linked: anything else already in the root
            // (or, through a symlinked parent, outside it) is not ours to give a second name.
            if (target.Length == 0 || !_nonDirectories.TryGetValue(target, out var physical))
                throw MemberPath.Refuse(label, "member", entry.Name,
                    $"is a hard link to '{entry.LinkName}', which this package did not install before it");
            return physical;
        }

        private void WriteFile(TarEntry entry, string relative, string path, byte[] buffer)
        {
            // Everything after the exclusive create goes through the descriptor, never the path again: even if
            // another extraction swapped the path for a symlink meanwhile, nothing outside the root is touched.
            int fd = LibC.CreateExclusive(path, 0x180 /* 0600 until the real mode is set */);
            try
            {
                if (entry.DataStream is { } data)
                {
                    int n;
                    // Whole buffers (short only at the end): fewer writes, and the limit is met at the same byte every time.
                    while ((n = data.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false)) > 0)
                    {
                        Count(n); // before writing: what passes the limit is never written
                        LibC.WriteAll(fd, buffer.AsSpan(0, n), path);
                        _hash?.AppendData(buffer, 0, n);
                        _keptData?.Write(buffer, 0, n);
                        _bytes += n;
                    }
                }
                LibC.SetMetadata(fd, path, _options.ApplyOwners ? (uint)entry.Uid : null, (uint)entry.Gid, (uint)entry.Mode,
                    entry.ModificationTime.ToUnixTimeSeconds());
            }
            finally
            {
                LibC.Close(fd, path);
            }
            if (_hash is not null) _md5[relative] = Convert.ToHexStringLower(_hash.GetHashAndReset());
        }

        /// <summary>
        /// Adds to what the archive has written so far and stops it past <see cref="ExtractOptions.Limit"/>, so a bomb
        /// writes at most the limit (removed with the staging root, like anything of a package that fails).
        /// </summary>
        private void Count(long bytes)
        {
            _written += bytes;
            if (_options.Limit is { } limit && _written > limit.Bytes)
                throw limit.Exceeded(label, _written, $"at member '{_member}'");
        }

        /// <summary>Owner first: chown clears setuid/setgid, so the mode (with those bits) must come after it.</summary>
        private void ApplyMetadata(TarEntry entry, string path)
        {
            bool symlink = entry.EntryType == TarEntryType.SymbolicLink;
            if (_options.ApplyOwners) LibC.Lchown(path, (uint)entry.Uid, (uint)entry.Gid);
            if (!symlink) LibC.ChmodNoFollow(path, (uint)entry.Mode);
            LibC.SetTimesNoFollow(path, entry.ModificationTime.ToUnixTimeSeconds());
        }
    }
}
