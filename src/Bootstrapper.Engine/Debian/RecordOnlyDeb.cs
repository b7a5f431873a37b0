using System.Formats.Tar;
using System.Text;
using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Archives;

namespace Bootstrapper.Engine.Debian;

/// <summary>
/// A .deb that lets dpkg record a package whose files are already in the root: the original control member byte for
/// byte, and a data member holding only the members dpkg must handle itself.
/// </summary>
/// <remarks>
/// Why: the essential set is extracted by us first (dpkg cannot run before its own files and libraries exist), and
/// a full <c>dpkg --unpack</c> would then write every file a second time, on one core. Handed this archive instead,
/// dpkg still does all of its bookkeeping exactly as for the full one: it runs the preinst, writes the status entry
/// and every info/ file from the control member, registers trigger interests and activations. Two kinds of member
/// must be in it because dpkg acts on them while unpacking:
/// <list type="bullet">
/// <item>conffiles: dpkg unpacks them as <c>.dpkg-new</c>, records them as new conffiles, and installs them at
/// configure time (refusing a package whose conffile is missing from the archive);</item>
/// <item>paths under a file trigger's interest (debianutils' shells.d): installing them activates the trigger.</item>
/// </list>
/// Every other file is already in place with the archive's metadata. The one record the short archive gets wrong is
/// info/PKG.list, which lists only what dpkg unpacked; <see cref="WriteFileList"/> replaces it with the whole
/// archive's list before anything is configured.
/// </remarks>
public static class RecordOnlyDeb
{
    /// <summary>
    /// What dpkg must unpack itself, for one package:
    /// <list type="bullet">
    /// <item>its conffiles (deb-conffiles(5); "remove-on-upgrade" ones are not shipped);</item>
    /// <item>anything at or below one of <paramref name="fileTriggerInterests"/>;</item>
    /// <item>one file of its own, because dpkg drops from its database, as "completely replaced", a package that owns
    /// nothing but directories once another package is unpacked: the copyright file (unique to the package by
    /// policy) or else the first file md5sums names, or else the first non-directory member;</item>
    /// <item>the hard links to any member kept (were only the target unpacked again, it would get a new inode and
    /// the links would stay with the old one).</item>
    /// </list>
    /// </summary>
    /// <returns>A predicate over normalized relative paths ("etc/bash.bashrc") and members, asked in archive order.</returns>
    public static Func<string, TarEntry, bool> MembersDpkgMustUnpack(string package, ControlFiles control,
        IReadOnlyCollection<string> fileTriggerInterests)
    {
        var conffiles = Conffiles(control);
        var interests = fileTriggerInterests.Select(p => p.TrimEnd('/')).ToArray();
        string? anchor = Anchor(package, control);
        var kept = new HashSet<string>(StringComparer.Ordinal);
        return (relative, entry) =>
        {
            var absolute = "/" + relative;
            bool directory = entry.EntryType == TarEntryType.Directory;
            bool keep = conffiles.Contains(absolute)
                        || interests.Any(p => absolute == p || absolute.StartsWith(p + "/", StringComparison.Ordinal))
                        || relative == anchor
                        || anchor is null && !directory && kept.Count == 0
                        || entry.EntryType == TarEntryType.HardLink && kept.Contains(MemberPath.Normalize(entry.LinkName, package));
            if (keep && !directory) kept.Add(relative);
            return keep;
        };
    }

    /// <summary>The file chosen to keep a package owning something (relative path), from its md5sums; null without one.</summary>
    private static string? Anchor(string package, ControlFiles control)
    {
        if (control["md5sums"] is not { } md5sums) return null;
        var files = md5sums.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Length > 34 ? l[34..].TrimStart('/').TrimEnd('\r') : "")
            .Where(f => f.Length > 0).ToList();
        var copyright = $"usr/share/doc/{package}/copyright";
        return files.Contains(copyright) ? copyright : files.FirstOrDefault();
    }

    /// <summary>The absolute paths the conffiles control file names as shipped in the package.</summary>
    public static HashSet<string> Conffiles(ControlFiles control)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        if (control["conffiles"] is not { } file) return set;
        foreach (var raw in file.Text.Split('\n'))
        {
            var words = raw.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0) continue;
            // "[flag ...] /path": the only flag so far, remove-on-upgrade, marks a file no longer shipped.
            if (words[..^1].Contains("remove-on-upgrade")) continue;
            if (words[^1].StartsWith('/')) set.Add(words[^1]);
        }
        return set;
    }

    /// <summary>Paths that file triggers are interested in (deb-triggers(5): interest[-await|-noawait] /path).</summary>
    public static IReadOnlyList<string> FileTriggerInterests(IEnumerable<ControlFiles> controls)
    {
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var control in controls)
        {
            if (control["triggers"] is not { } file) continue;
            foreach (var raw in file.Text.Split('\n'))
            {
                var line = raw.Split('#')[0].Trim();
                var words = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                if (words.Length == 2 && words[0] is "interest" or "interest-await" or "interest-noawait" && words[1].StartsWith('/'))
                    paths.Add(words[1]);
            }
        }
        return paths.ToList();
    }

    /// <summary>Writes the record-only .deb for <paramref name="sourceDeb"/> with <paramref name="members"/> as its data.</summary>
    public static void Write(string sourceDeb, string destination, IReadOnlyList<TarEntry> members, string packageLabel)
    {
        try
        {
            using var input = new FileStream(sourceDeb, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            using var output = new FileStream(destination, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
            var reader = new ArReader(input, packageLabel);
            var writer = new ArWriter(output);
            while (reader.Next() is { } member)
            {
                if (member.Name.StartsWith("data.tar", StringComparison.Ordinal))
                {
                    writer.Add("data.tar", DataTar(members), member.ModifiedTime, member.Mode);
                    return; // nothing dpkg reads follows the data member
                }
                var bytes = new byte[member.Size]; // debian-binary and control.tar.*: small
                member.Data.ReadExactly(bytes);
                writer.Add(member.Name, bytes, member.ModifiedTime, member.Mode);
            }
            throw new InvalidDataException("it has no data member");
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException && e is not FileNotFoundException)
        {
            File.Delete(destination);
            throw new InstallException($"{packageLabel}: cannot prepare the .deb for dpkg ({e.Message})", e);
        }
    }

    private static byte[] DataTar(IReadOnlyList<TarEntry> members)
    {
        using var buffer = new MemoryStream();
        using (var tar = new TarWriter(buffer, TarEntryFormat.Gnu, leaveOpen: true))
            foreach (var m in members)
            {
                if (m.DataStream is { } data) data.Position = 0;
                tar.WriteEntry(m);
            }
        return buffer.ToArray();
    }

    /// <summary>
    /// Replaces the info/PKG.list dpkg wrote from the record-only archive with the full archive's list
    /// (<see cref="ExtractedPackage.Paths"/>: "/." then every member, in archive order, as dpkg writes it).
    /// dpkg writes no list for an empty archive, so the file may be new. Multi-Arch: same packages have their info
    /// files named PKG:ARCH (dpkg's pkgadmindir naming), others PKG.
    /// </summary>
    public static void WriteFileList(string root, string package, string architecture, bool multiArchSame,
        IReadOnlyList<string> paths)
    {
        var list = Path.Combine(root, "var/lib/dpkg/info", multiArchSame ? $"{package}:{architecture}.list" : $"{package}.list");
        var text = new StringBuilder(paths.Sum(p => p.Length + 1));
        foreach (var p in paths) text.Append(p).Append('\n');
        File.WriteAllBytes(list, Encoding.UTF8.GetBytes(text.ToString()));
        ChrootFiles.SetMode(list, 0x1A4); // dpkg's mode for info files it writes itself
    }

    /// <summary>
    /// Gives the directories the modification time a full unpack would have given them. dpkg writes every file as
    /// NAME.dpkg-new and renames it into place, which stamps its directory with the time of the unpack; with the
    /// record-only archive only the kept members go through that, so the directories of all the others are
    /// stamped here (<paramref name="nonDirectories"/>: physical paths of every non-directory member extracted).
    /// </summary>
    public static void StampDirectories(IEnumerable<string> nonDirectories, long now)
    {
        foreach (var dir in nonDirectories.Select(Path.GetDirectoryName).Distinct(StringComparer.Ordinal))
            if (dir is not null) Native.LibC.SetTimesNoFollow(dir, now);
    }
}
