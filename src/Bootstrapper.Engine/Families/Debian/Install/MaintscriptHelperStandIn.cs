using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Bootstrapper.Engine.Os.Files;
using Bootstrapper.Engine.Sandbox;

namespace Bootstrapper.Engine.Families.Debian.Install;

/// <summary>
/// When maintainer scripts run with <c>bootstrap-maintscript-helper</c> (Sandbox/bootstrap-maintscript-helper.c)
/// standing in for the root's <c>dpkg-maintscript-helper</c> and <c>deb-systemd-helper</c>: on a first install most
/// of their calls (<c>rm_conffile ... -- install</c>, <c>-- configure</c> without an old version; <c>unmask</c> and
/// <c>--quiet was-enabled</c> of a unit never seen) only check their arguments or find nothing to do, and under
/// qemu-user each costs an emulated shell (with basename and dpkg) or an emulated Perl. The stand-in answers those
/// natively and runs the real script for everything else.
/// </summary>
/// <remarks>
/// Only over the helpers whose rules the stand-in follows: dpkg 1.21 and 1.22's <c>#!/bin/sh</c> script, and the
/// exact deb-systemd-helper of init-system-helpers 1.65.2 and 1.69 (the same text). Any other root keeps its own.
/// <c>BOOTSTRAP_MAINTSCRIPT_STAND_IN=0</c> turns both off (differential tests, benchmarks).
/// </remarks>
internal static partial class MaintscriptHelperStandIn
{
    /// <summary>The files the stand-in covers.</summary>
    public const string PathInRoot = "/usr/bin/dpkg-maintscript-helper";
    public const string SystemdHelperPathInRoot = "/usr/bin/deb-systemd-helper";

    /// <summary>Where the sandbox keeps the covered files open (agreed with bootstrap-maintscript-helper.c).</summary>
    public const int Descriptor = 223, SystemdHelperDescriptor = 224;

    /// <summary>File name of the stand-in, beside the assemblies (the Engine project builds it).</summary>
    public const string ProgramName = "bootstrap-maintscript-helper";

    // SHA-256 of the deb-systemd-helper texts whose rules the stand-in follows.
    private static readonly HashSet<string> KnownSystemdHelpers =
        ["a895d5f077651960b6ca4ed9c53f8b36eae422ae170f61c972d0c6579e9f8732"];

    /// <summary>The stand-in's full path.</summary>
    public static string Program => Path.Combine(AppContext.BaseDirectory, ProgramName);

    /// <summary>The stand-ins for <paramref name="root"/>'s helpers: none when they must run as they are.</summary>
    public static IReadOnlyList<SandboxCommand.StandIn> For(string root)
    {
        if (Environment.GetEnvironmentVariable("BOOTSTRAP_MAINTSCRIPT_STAND_IN") == "0" || !File.Exists(Program)) return [];
        var standIns = new List<SandboxCommand.StandIn>();
        if (Follows(RootFs.ReadText(root, PathInRoot.TrimStart('/'))))
            standIns.Add(new SandboxCommand.StandIn(Program, PathInRoot, Descriptor));
        if (FollowsSystemdHelper(RootFs.ReadBytes(root, SystemdHelperPathInRoot.TrimStart('/'))))
            standIns.Add(new SandboxCommand.StandIn(Program, SystemdHelperPathInRoot, SystemdHelperDescriptor));
        return standIns;
    }

    /// <summary>True for the text of a dpkg-maintscript-helper whose rules the stand-in follows.</summary>
    public static bool Follows(string? script) =>
        script is not null && script.StartsWith("#!/bin/sh\n", StringComparison.Ordinal) && KnownVersion().IsMatch(script);

    /// <summary>True for a deb-systemd-helper whose rules the stand-in follows.</summary>
    public static bool FollowsSystemdHelper(byte[]? script) =>
        script is not null && KnownSystemdHelpers.Contains(Convert.ToHexStringLower(SHA256.HashData(script)));

    [GeneratedRegex("""^version="1\.2[12]\.[0-9]+"$""", RegexOptions.Multiline)]
    private static partial Regex KnownVersion();
}
