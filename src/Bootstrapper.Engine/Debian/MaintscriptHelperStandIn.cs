using System.Text.RegularExpressions;
using Bootstrapper.Engine.IO;
using Bootstrapper.Engine.Sandbox;

namespace Bootstrapper.Engine.Debian;

/// <summary>
/// When maintainer scripts run with <c>bootstrap-maintscript-helper</c> (Sandbox/bootstrap-maintscript-helper.c)
/// standing in for the root's <c>/usr/bin/dpkg-maintscript-helper</c>: on a first install most of its calls
/// (<c>rm_conffile ... -- install</c>, <c>-- configure</c> without an old version) only check their arguments, and
/// under qemu-user each costs an emulated shell, basename and dpkg. The stand-in answers those natively and runs
/// the real script for everything else.
/// </summary>
/// <remarks>
/// Only over the helpers whose rules the stand-in follows (dpkg 1.21 and 1.22, a <c>#!/bin/sh</c> script); any other
/// root keeps its own helper. <c>BOOTSTRAP_MAINTSCRIPT_STAND_IN=0</c> turns it off (differential tests, benchmarks).
/// </remarks>
public static partial class MaintscriptHelperStandIn
{
    /// <summary>The file the stand-in covers.</summary>
    public const string PathInRoot = "/usr/bin/dpkg-maintscript-helper";

    /// <summary>File name of the stand-in, beside the assemblies (the Engine project builds it).</summary>
    public const string ProgramName = "bootstrap-maintscript-helper";

    /// <summary>The stand-in for <paramref name="root"/>'s helper, or null when it must run as it is.</summary>
    public static SandboxCommand.StandIn? For(string root)
    {
        if (Environment.GetEnvironmentVariable("BOOTSTRAP_MAINTSCRIPT_STAND_IN") == "0") return null;
        var program = Path.Combine(AppContext.BaseDirectory, ProgramName);
        if (!File.Exists(program)) return null;
        return Follows(RootFs.ReadText(root, PathInRoot.TrimStart('/'))) ? new SandboxCommand.StandIn(program, PathInRoot) : null;
    }

    /// <summary>True for the text of a dpkg-maintscript-helper whose rules the stand-in follows.</summary>
    public static bool Follows(string? script) =>
        script is not null && script.StartsWith("#!/bin/sh\n", StringComparison.Ordinal) && KnownVersion().IsMatch(script);

    [GeneratedRegex("""^version="1\.2[12]\.[0-9]+"$""", RegexOptions.Multiline)]
    private static partial Regex KnownVersion();
}
