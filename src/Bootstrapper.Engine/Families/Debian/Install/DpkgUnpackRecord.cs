using System.Formats.Tar;
using System.Text;
using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Archives;
using Bootstrapper.Engine.Families.Debian.Deb;
using Bootstrapper.Engine.Os.Files;
using Bootstrapper.Engine.Os.Native;
using Bootstrapper.Engine.Os.Processes;

namespace Bootstrapper.Engine.Families.Debian.Install;

/// <summary>A package whose files we extracted into the root, with what dpkg needs to know about it.</summary>
/// <param name="Package">The plan's package.</param>
/// <param name="Control">Its control member.</param>
/// <param name="Extracted">What the extraction wrote; <see cref="ExtractedPackage.Kept"/> holds its conffiles.</param>
internal sealed record UnpackedPackage(InstallPackage Package, ControlFiles Control, ExtractedPackage Extracted)
    : PackageControl(Package, Control);

/// <summary>A package and its control member.</summary>
internal record PackageControl(InstallPackage Package, ControlFiles Control)
{
    /// <summary>dpkg's name for the package's info files: PKG, or PKG:ARCH for a Multi-Arch: same package.</summary>
    public string InfoName => Control.ParseControl()["Multi-Arch"] == "same"
        ? $"{Package.Name}:{Package.Architecture}" : Package.Name;
}

/// <summary>
/// Records extracted packages in the dpkg database exactly as <c>dpkg --unpack</c> leaves a new package: status
/// "install ok unpacked", the control files under info/, the file list, conffiles waiting as NAME.dpkg-new,
/// trigger interests registered. <c>dpkg --configure</c> then takes over as after a real unpack.
/// </summary>
/// <remarks>
/// Why: the essential set must be extracted by us first (dpkg cannot run before its own files and libraries
/// exist), and <c>dpkg --install</c> would then write every file a second time, on one core, at ~10 ms of
/// processes per package. What dpkg's unpack does besides writing files is reproduced here, checked byte for byte
/// against dpkg's own result (the build's image is identical):
/// <list type="bullet">
/// <item>info/PKG.* are the control member's files except <c>control</c>, with their modes and times; info/PKG.list
/// lists every member in archive order, "/." first; md5sums are computed when the package ships none; info/format
/// says "1".</item>
/// <item>status gets the control paragraph with <c>Status: install ok unpacked</c> and every conffile with the
/// hash "newconffile"; the conffile itself waits beside its place as NAME.dpkg-new, installed at configure.</item>
/// <item>triggers/NAME and triggers/File register explicit and file-trigger interests (deb-triggers(5)). No
/// activation is recorded: this only ever runs on a fresh root, where every interested package is at most
/// unpacked, and dpkg records activations only for configured ones (their postinst does the work anyway).</item>
/// <item>the preinsts run, chrooted, with dpkg's arguments and environment, from /var/lib/dpkg/tmp.ci as dpkg runs
/// them (<see cref="RunPreinstsAsync"/>).</item>
/// <item>the directories get the times dpkg's rename-into-place would have given them
/// (<see cref="StampDirectories"/>).</item>
/// </list>
/// </remarks>
internal static class DpkgUnpackRecord
{
    private const string Admin = "var/lib/dpkg";

    /// <summary>Keeps a package's conffiles (<see cref="ExtractOptions.Keep"/>): dpkg wants them as NAME.dpkg-new too.</summary>
    public static Func<string, TarEntry, bool> KeepConffiles(ControlFiles control)
    {
        var conffiles = Conffiles(control);
        return (relative, _) => conffiles.Contains("/" + relative);
    }

    /// <summary>The absolute paths the conffiles control file names as shipped in the package.</summary>
    public static HashSet<string> Conffiles(ControlFiles control) =>
        ConffileLines(control).Where(c => !c.RemoveOnUpgrade).Select(c => c.Path).ToHashSet(StringComparer.Ordinal);

    /// <summary>deb-conffiles(5) lines: "[flag ...] /path"; the one flag so far, remove-on-upgrade, marks a file no longer shipped.</summary>
    private static IEnumerable<(string Path, bool RemoveOnUpgrade)> ConffileLines(ControlFiles control)
    {
        if (control["conffiles"] is not { } file) yield break;
        foreach (var raw in file.Text.Split('\n'))
        {
            var words = raw.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0 || !words[^1].StartsWith('/')) continue;
            yield return (words[^1], words.AsSpan(..^1).Contains("remove-on-upgrade"));
        }
    }

    /// <summary>
    /// Writes the database entries, info files and waiting conffiles of <paramref name="packages"/> (in unpack
    /// order) into <paramref name="root"/>, whose database must not know them yet.
    /// </summary>
    public static void Write(string root, IReadOnlyList<UnpackedPackage> packages)
    {
        // Through RootFs: a package may have made var/lib, or any part of it, a symlink.
        const string info = Admin + "/info", triggers = Admin + "/triggers";
        var status = new StringBuilder(RootFs.ReadText(root, Admin + "/status") ?? "");
        var explicitInterests = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        var fileInterests = new List<string>();
        foreach (var u in packages)
        {
            var name = u.InfoName;
            foreach (var file in InfoFiles(u))
                RootFs.WriteFile(root, $"{info}/{name}.{file.Name}", file.Data, file.Mode & 0xFFF, file.MTime);
            WriteFileList(root, name, u.Extracted.Paths);
            if (u.Control["md5sums"] is null) WriteGeneratedMd5sums(root, $"{info}/{name}.md5sums", u.Extracted);
            WaitingConffiles(root, u);
            AppendStatus(status, u);
            Interests(u, explicitInterests, fileInterests);
        }
        RootFs.WriteText(root, info + "/format", "1\n");
        RootFs.WriteText(root, Admin + "/status", status.ToString());
        foreach (var (trigger, interested) in explicitInterests)
            Append(root, $"{triggers}/{trigger}", interested);
        if (fileInterests.Count > 0) Append(root, triggers + "/File", fileInterests);
    }

    private static void Append(string root, string relative, IEnumerable<string> lines) =>
        RootFs.WriteText(root, relative, (RootFs.ReadText(root, relative) ?? "") + string.Concat(lines.Select(l => l + "\n")));

    /// <summary>
    /// The control members dpkg installs as info/PKG.NAME (pkg_infodb_update): all but <c>control</c> and names with a
    /// dot (a stray "postinst.orig"); a member called <c>list</c> would clash with the file list, and dpkg refuses it.
    /// </summary>
    private static IEnumerable<ControlFile> InfoFiles(UnpackedPackage u)
    {
        foreach (var file in u.Control.Files.Values.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            if (file.Name == "control" || file.Name.Contains('.')) continue;
            if (file.Name == "list")
                throw new InstallException($"package '{u.Package.Name}' has a control member named 'list', which dpkg refuses; the .deb is malformed.");
            yield return file;
        }
    }

    /// <summary>
    /// dpkg computes md5sums at unpack for a package that ships none: "HASH  path" for every regular file, conffiles
    /// included, in archive order.
    /// </summary>
    private static void WriteGeneratedMd5sums(string root, string relative, ExtractedPackage extracted)
    {
        var text = new StringBuilder();
        foreach (var p in extracted.Paths)
            if (extracted.Md5Sums.TryGetValue(p.TrimStart('/'), out var md5)) text.Append(md5).Append("  ").Append(p.TrimStart('/')).Append('\n');
        RootFs.WriteText(root, relative, text.ToString());
    }

    /// <summary>info/PKG.list: "/." then every member, in archive order, as dpkg writes it.</summary>
    public static void WriteFileList(string root, string infoName, IReadOnlyList<string> paths)
    {
        var text = new StringBuilder(paths.Sum(p => p.Length + 1));
        foreach (var p in paths) text.Append(p).Append('\n');
        RootFs.WriteText(root, $"{Admin}/info/{infoName}.list", text.ToString());
    }

    /// <summary>
    /// The status paragraph dpkg writes after unpacking: the control fields, the status, the conffiles as new.
    /// dpkg rewrites the whole file in its own field order on its next run, so only the content matters.
    /// </summary>
    private static void AppendStatus(StringBuilder status, UnpackedPackage u)
    {
        var lines = u.Control["control"]!.Text.Replace("\r", "", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
        if (status.Length > 0 && status[^1] != '\n') status.Append('\n');
        if (status.Length > 0) status.Append('\n');
        foreach (var line in lines)
        {
            if (line.Length == 0) throw new InstallException($"package '{u.Package.Name}': its control file holds more than one paragraph.");
            if (line.StartsWith("Status:", StringComparison.OrdinalIgnoreCase)) continue;
            status.Append(line).Append('\n');
            if (line.StartsWith("Package:", StringComparison.Ordinal)) status.Append("Status: install ok unpacked\n");
        }
        var conffiles = ConffileLines(u.Control).ToList();
        if (conffiles.Count == 0) return;
        status.Append("Conffiles:\n");
        foreach (var (path, removeOnUpgrade) in conffiles)
            status.Append(' ').Append(path).Append(" newconffile").Append(removeOnUpgrade ? " remove-on-upgrade" : "").Append('\n');
    }

    /// <summary>Each shipped conffile also as NAME.dpkg-new, with the member's owner, mode and time, for configure.</summary>
    private static void WaitingConffiles(string root, UnpackedPackage u)
    {
        var shipped = Conffiles(u.Control);
        foreach (var entry in u.Extracted.Kept)
        {
            var relative = MemberPath.Normalize(entry.Name, u.Package.Name);
            if (!shipped.Remove("/" + relative)) continue;
            // Through RootFs: the parent resolves as the extraction resolved it (a symlinked parent such as merged
            // /usr's stays inside the root).
            var path = relative + ".dpkg-new";
            switch (entry.EntryType)
            {
                case TarEntryType.RegularFile:
                    using (var data = new MemoryStream())
                    {
                        entry.DataStream?.CopyTo(data);
                        RootFs.WriteFile(root, path, data.ToArray(), (uint)entry.Mode, entry.ModificationTime.ToUnixTimeSeconds(),
                            (uint)entry.Uid, (uint)entry.Gid);
                    }
                    break;
                case TarEntryType.SymbolicLink:
                    RootFs.CreateSymlink(root, path, entry.LinkName, (uint)entry.Uid, (uint)entry.Gid,
                        entry.ModificationTime.ToUnixTimeSeconds());
                    break;
                default:
                    throw new InstallException(
                        $"package '{u.Package.Name}': conffile {entry.Name} is a {entry.EntryType}; dpkg accepts only files and symlinks.");
            }
        }
        if (shipped.Count > 0)
            throw new InstallException(
                $"package '{u.Package.Name}' lists the conffile {shipped.First()} but does not ship it; the .deb is malformed.");
    }

    /// <summary>deb-triggers(5) interest directives, as dpkg registers them: "PKG" or "PKG/noawait".</summary>
    private static void Interests(UnpackedPackage u, SortedDictionary<string, List<string>> explicitInterests, List<string> fileInterests)
    {
        if (u.Control["triggers"] is not { } file) return;
        foreach (var raw in file.Text.Split('\n'))
        {
            var words = raw.Split('#')[0].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length != 2 || words[0] is not ("interest" or "interest-await" or "interest-noawait")) continue;
            var who = u.InfoName + (words[0] == "interest-noawait" ? "/noawait" : "");
            if (words[1].StartsWith('/')) fileInterests.Add($"{words[1]} {who}");
            else
            {
                if (!explicitInterests.TryGetValue(words[1], out var list)) explicitInterests[words[1]] = list = [];
                list.Add(who);
            }
        }
    }

    /// <summary>Where dpkg extracts a package's control files and runs its preinst from.</summary>
    public const string ControlDirectory = "var/lib/dpkg/tmp.ci";

    /// <summary>
    /// Runs each preinst as <c>dpkg --unpack</c> does for a new package: <c>preinst install</c>, from
    /// /var/lib/dpkg/tmp.ci holding the package's control files, in /, with the DPKG_MAINTSCRIPT_* variables. The host
    /// puts the control files there and clears them (under qemu-user, a shell's rm and mv would be emulated processes
    /// of their own); <paramref name="run"/> runs one command in the root with extra environment. A failing preinst
    /// stops the run with a message naming the package (dpkg would abort its unpack).
    /// </summary>
    public static async Task RunPreinstsAsync(string root, IReadOnlyList<PackageControl> packages, string dpkgVersion,
        Func<IReadOnlyList<string>, IReadOnlyDictionary<string, string>, Task<ProcessResult>> run)
    {
        foreach (var u in packages.Where(u => u.Control["preinst"] is not null))
        {
            RootFs.Delete(root, ControlDirectory);
            foreach (var file in u.Control.Files.Values)
                RootFs.WriteFile(root, $"{ControlDirectory}/{file.Name}", file.Data, file.Mode & 0xFFF, file.MTime);
            var environment = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["DPKG_MAINTSCRIPT_PACKAGE"] = u.Package.Name,
                ["DPKG_MAINTSCRIPT_ARCH"] = u.Package.Architecture,
                ["DPKG_MAINTSCRIPT_NAME"] = "preinst",
                ["DPKG_MAINTSCRIPT_PACKAGE_REFCOUNT"] = "1",
                ["DPKG_MAINTSCRIPT_DEBUG"] = "0",
                ["DPKG_RUNNING_VERSION"] = dpkgVersion,
                ["DPKG_ADMINDIR"] = "/var/lib/dpkg",
                ["DPKG_ROOT"] = "",
            };
            var result = await run(["/" + ControlDirectory + "/preinst", "install"], environment).ConfigureAwait(false);
            RootFs.Delete(root, ControlDirectory);
            if (!result.Succeeded)
                throw new InstallException(
                    $"the pre-installation script of {u.Package.Name} failed with exit status {result.ExitCode} in the chroot " +
                    $"{root}. Last output:\n  {string.Join("\n  ", result.LastLines)}");
        }
    }

    /// <summary>
    /// Gives directories the modification time dpkg's unpack would have given them. dpkg sets a directory's time
    /// from the archive when it creates it, then creating anything inside stamps it with the current time: each new
    /// subdirectory, and each file, since dpkg writes it as NAME.dpkg-new and renames it into place.
    /// </summary>
    /// <param name="nonDirectories">Physical paths of the non-directory members extracted.</param>
    /// <param name="createdDirectories">Physical paths of the directories the extraction created.</param>
    public static void StampDirectories(IEnumerable<string> nonDirectories, IEnumerable<string> createdDirectories, long now)
    {
        foreach (var dir in nonDirectories.Concat(createdDirectories).Select(Path.GetDirectoryName).Distinct(StringComparer.Ordinal))
            if (dir is not null) LibC.SetTimesNoFollow(dir, now);
    }
}
