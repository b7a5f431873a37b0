using System.Runtime.Versioning;
using System.Text;
using System.Text.RegularExpressions;
using Bootstrapper.Core.Alpine.Database;
using Bootstrapper.Core.Alpine.Index;
using Bootstrapper.Core.Alpine.Package;
using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Os.Files;
using Bootstrapper.Engine.Os.Processes;

namespace Bootstrapper.Engine.Families.Alpine;

/// <summary>A downloaded package file and the index entry it was fetched for.</summary>
internal sealed record AlpineInstallItem(ApkPackageInfo Info, string FilePath);

[UnsupportedOSPlatform("windows")]
internal sealed record AlpineInstallOptions
{
    public required ApkKeyring Keyring { get; init; }
    /// <summary>etc/apk/world: what the recipe asked for.</summary>
    public required IReadOnlyList<string> World { get; init; }
    /// <summary>etc/apk/repositories: the recipe's repository URLs (not a local build path).</summary>
    public required IReadOnlyList<string> Repositories { get; init; }
    /// <summary>etc/apk/arch (e.g. x86_64).</summary>
    public required string Architecture { get; init; }
    /// <summary>False to skip maintainer scripts and triggers (e.g. a foreign architecture without emulation).</summary>
    public bool RunScripts { get; init; } = true;
    public IApkScriptRunner ScriptRunner { get; init; } = new ChrootScriptRunner();
    /// <summary>Passed to every script as SOURCE_DATE_EPOCH when set, as Debian's maintainer scripts get it.</summary>
    public long? SourceDateEpoch { get; init; }
    public IApkDataExtractor Extractor { get; init; } = new ApkDataExtractor();
    public Action<string>? Log { get; init; }
    /// <summary>Told before each package is installed: its 1-based position, the count, and the package
    /// ("busybox-1.37.0-r12"), for the progress display.</summary>
    public Action<int, int, string>? Installing { get; init; }
    /// <summary>Waits until a package's file is verified at its path (the download may still be running); null: all
    /// are there.</summary>
    public Func<AlpineInstallItem, CancellationToken, Task>? WaitForFile { get; init; }
}

/// <summary>What was installed, in order.</summary>
internal sealed record AlpineInstallResult(IReadOnlyList<ApkInstalledPackage> Packages);

/// <summary>
/// Installs verified packages into a staging root in the given order (apk's changeset order), as
/// <c>apk add --initdb</c> would for a fresh root: per package verify, .pre-install, extract, .post-install; then
/// each .trigger once with the changed directories it watches; then the apk database.
/// </summary>
[UnsupportedOSPlatform("windows")]
internal static class AlpineInstaller
{
    private const string ExecDir = "lib/apk/exec";

    public static async Task<AlpineInstallResult> InstallAsync(string root, IReadOnlyList<AlpineInstallItem> packages,
        AlpineInstallOptions options, CancellationToken ct)
    {
        if (options.RunScripts && packages.Count > 0)
            Privileges.EnsureRoot("running Alpine maintainer scripts");
        Directory.CreateDirectory(root);
        foreach (var d in new[] { "etc/apk/keys", "lib/apk/db", "var/cache/apk" })
            RootFs.DirectoryInRoot(root, d);

        var installed = new List<ApkInstalledPackage>();
        var changedDirs = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var item in packages)
        {
            ct.ThrowIfCancellationRequested();
            options.Installing?.Invoke(installed.Count + 1, packages.Count, item.Info.ToString());
            if (options.WaitForFile is { } wait) await wait(item, ct).ConfigureAwait(false);
            var bytes = await File.ReadAllBytesAsync(item.FilePath, ct).ConfigureAwait(false);
            var pkg = ApkPackageFile.Verify(bytes, options.Keyring, item.Info, item.FilePath);
            options.Log?.Invoke($"Installing {item.Info} ({pkg.DataEntries.Count} entries)");
            var dirs = ApkInstalledDatabase.Describe(pkg.DataEntries, item.Info.ToString());

            await RunScriptAsync(root, item.Info, pkg, "pre-install", [item.Info.Version], options, ct).ConfigureAwait(false);
            options.Extractor.Extract(root, pkg, item.Info.ToString(), ct);
            await RunScriptAsync(root, item.Info, pkg, "post-install", [item.Info.Version], options, ct).ConfigureAwait(false);

            foreach (var d in dirs) changedDirs.Add("/" + d.Path);
            installed.Add(new ApkInstalledPackage(item.Info, dirs, pkg.Triggers, pkg.Scripts));
        }

        foreach (var p in installed.Where(p => p.Triggers.Count > 0 && p.Scripts.ContainsKey("trigger")))
        {
            var matched = changedDirs.Where(d => p.Triggers.Any(t => GlobMatch(t, d))).ToArray();
            if (matched.Length == 0) continue;
            var contents = new ApkPackageContents
            {
                Name = p.Info.Name,
                Version = p.Info.Version,
                Checksum = p.Info.Checksum,
                SignedBy = "",
                PkgInfo = [],
                Scripts = p.Scripts,
                Triggers = p.Triggers,
                DataEntries = [],
            };
            await RunScriptAsync(root, p.Info, contents, "trigger", matched, options, ct).ConfigureAwait(false);
        }

        WriteDatabase(root, installed, options);
        return new AlpineInstallResult(installed);
    }

    private static async Task RunScriptAsync(string root, ApkPackageInfo info, ApkPackageContents pkg, string type,
        IReadOnlyList<string> args, AlpineInstallOptions options, CancellationToken ct)
    {
        if (!options.RunScripts || !pkg.Scripts.TryGetValue(type, out var body)) return;
        var rel = $"{ExecDir}/{info.Name}-{info.Version}.{type}";
        RootFs.WriteFile(root, rel, body, 0x1ED);
        try
        {
            var env = new Dictionary<string, string>
            {
                ["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin",
                ["APK_SCRIPT"] = type,
                ["APK_PACKAGE"] = info.Name,
            };
            if (options.SourceDateEpoch is { } epoch)
                env["SOURCE_DATE_EPOCH"] = epoch.ToString(System.Globalization.CultureInfo.InvariantCulture);
            options.Log?.Invoke($"Executing {info}.{type}");
            var r = await options.ScriptRunner.RunAsync(root, rel, args, env, ct).ConfigureAwait(false);
            foreach (var line in r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                options.Log?.Invoke($"  {info}.{type}: {line}");
            if (r.ExitCode != 0)
                throw new InstallException(
                    $"{info}: .{type} script exited with status {r.ExitCode}. Output:\n{r.Output.TrimEnd()}");
        }
        finally
        {
            RootFs.Delete(root, rel);
        }
    }

    /// <summary>fnmatch(pattern, dir, FNM_PATHNAME): '*' and '?' do not match '/'.</summary>
    public static bool GlobMatch(string pattern, string path)
    {
        var rx = new StringBuilder("^");
        foreach (var c in pattern)
            rx.Append(c switch { '*' => "[^/]*", '?' => "[^/]", _ => Regex.Escape(c.ToString()) });
        rx.Append('$');
        return Regex.IsMatch(path, rx.ToString(), RegexOptions.CultureInvariant);
    }

    private static void WriteDatabase(string root, IReadOnlyList<ApkInstalledPackage> installed, AlpineInstallOptions o)
    {
        // Never through a link a package or a script planted (RootFs): these run after every script.
        void Write(string rel, byte[] content) => RootFs.WriteFile(root, rel, content, 0x1A4);
        byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

        Write("lib/apk/db/installed", Utf8(ApkInstalledDatabase.FormatInstalled(installed)));
        Write("lib/apk/db/triggers", Utf8(ApkInstalledDatabase.FormatTriggers(installed)));
        Write("lib/apk/db/scripts.tar", ApkInstalledDatabase.FormatScriptsTar(installed));
        Write("etc/apk/world", Utf8(ApkInstalledDatabase.FormatWorld(o.World)));
        Write("etc/apk/arch", Utf8(o.Architecture + "\n"));
        Write("etc/apk/repositories", Utf8(string.Concat(o.Repositories.Select(r => r + "\n"))));
        foreach (var key in o.Keyring.Names.Order(StringComparer.Ordinal))
            Write("etc/apk/keys/" + key, Utf8(o.Keyring.GetPem(key)));
        if (RootFs.TryLstat(root, ExecDir, out var exec) && exec.IsDirectory && RootFs.List(root, ExecDir).Count == 0)
            RootFs.Delete(root, ExecDir);
    }
}
