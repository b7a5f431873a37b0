using System.Runtime.InteropServices;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Recipes;

namespace Bootstrapper.Engine.Build;

/// <summary>
/// Can this host run the recipe's architecture's programs (maintainer scripts, dpkg, apk's scripts)? Natively, or
/// through an emulator registered with binfmt_misc (qemu-user). Asked once, before anything is downloaded: the one
/// place that decides, so that support for more architectures (or other emulators) is added here.
/// </summary>
public static class ArchitectureSupport
{
    /// <summary>Each architecture by its Debian and Alpine names, with the qemu-user binfmt entry that emulates it.</summary>
    private static readonly (string Debian, string Alpine, string Qemu)[] Known =
    [
        ("amd64", "x86_64", "qemu-x86_64"), ("arm64", "aarch64", "qemu-aarch64"), ("armhf", "armv7", "qemu-arm"),
        ("armel", "armhf", "qemu-arm"), ("i386", "x86", "qemu-i386"), ("ppc64el", "ppc64le", "qemu-ppc64le"),
        ("s390x", "s390x", "qemu-s390x"), ("riscv64", "riscv64", "qemu-riscv64"),
    ];

    /// <summary>Refuses (exit 2) a recipe whose architecture this host can neither run nor emulate.</summary>
    /// <param name="binfmtRoot">binfmt_misc's folder (tests point it elsewhere).</param>
    public static void Check(Recipe recipe, string binfmtRoot = "/proc/sys/fs/binfmt_misc") =>
        Check(recipe, HostArchitecture(), binfmtRoot);

    internal static void Check(Recipe recipe, Architecture host, string binfmtRoot)
    {
        var alpine = recipe.Family == DistroFamily.Alpine;
        var wanted = recipe.Architecture;
        var entry = Known.FirstOrDefault(k => (alpine ? k.Alpine : k.Debian) == wanted);
        var native = NativeNames(host).Select(n => Known.First(k => k.Debian == n)).Select(k => alpine ? k.Alpine : k.Debian).ToList();
        if (native.Contains(wanted)) return;
        var hostName = native.FirstOrDefault() ?? host.ToString().ToLowerInvariant();
        if (entry == default)
            throw new RecipeException($"{recipe.SourcePath}: architecture '{wanted}' is not one bootstrap knows for family " +
                                      $"'{recipe.Family.ToString().ToLowerInvariant()}' (known: " +
                                      $"{string.Join(", ", Known.Select(k => alpine ? k.Alpine : k.Debian))}); fix 'architecture'");
        if (Emulated(Path.Combine(binfmtRoot, entry.Qemu))) return;
        throw new RecipeException(
            $"{recipe.SourcePath}: architecture '{wanted}' is not this machine's ({hostName}) and no emulator for it is " +
            $"registered ({Path.Combine(binfmtRoot, entry.Qemu)} is missing or disabled). Install qemu-user-static " +
            $"and binfmt-support (Debian: apt-get install qemu-user-static binfmt-support), build on a {wanted} machine, " +
            $"or set architecture = \"{hostName}\" in the recipe.");
    }

    /// <summary>The Debian names of what <paramref name="host"/> runs without an emulator.</summary>
    private static string[] NativeNames(Architecture host) => host switch
    {
        Architecture.X64 => ["amd64", "i386"],
        Architecture.Arm64 => ["arm64"],
        Architecture.Arm => ["armhf", "armel"],
        Architecture.X86 => ["i386"],
        Architecture.Ppc64le => ["ppc64el"],
        Architecture.S390x => ["s390x"],
        Architecture.RiscV64 => ["riscv64"],
        _ => [],
    };

    private static Architecture HostArchitecture() => RuntimeInformation.OSArchitecture;

    /// <summary>A binfmt_misc entry is in force when its file exists and its first line says "enabled".</summary>
    private static bool Emulated(string entry)
    {
        try
        {
            return File.Exists(entry) && File.ReadLines(entry).FirstOrDefault() == "enabled";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
