using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Oci;
using Bootstrapper.Engine.Os.Files;
using Bootstrapper.Engine.Output;

namespace Bootstrapper.Engine.Pipeline;

/// <summary>
/// What a build can check from its inputs alone, checked before the plan (and so before any download): each
/// failure names the value and what to do, with exit code 2. The staging area, the sandbox and (rootless) the user
/// namespace are checked right after; what depends on the plan (the staging root's size) before the download.
/// </summary>
internal static class BuildPreflight
{
    /// <returns>The output's format (docker-import tar or OCI layout, and its compression).</returns>
    public static ImageOutputFormat Check(BuildSession session, string output)
    {
        if (session.SourceDateEpoch is < 0 and var epoch)
            throw new RecipeException($"SOURCE_DATE_EPOCH {epoch} is before 1970; give a whole number of seconds, 0 or more " +
                                      "(for example the last commit's time: git log -1 --format=%ct)");
        RequireArchitecture(session);
        var format = ImageOutputFormat.Choose(output, session.Recipe.Output.Compression); // a bad name or compression
        OciOutput.CheckTarget(output, format);
        WritableFolder.Require(Path.GetDirectoryName(Path.GetFullPath(Path.TrimEndingDirectorySeparator(output)))!, "the output folder",
            "choose another output path with -o (or [output] path in the recipe)");
        return format;
    }

    internal static void RequireArchitecture(BuildSession session)
    {
        var (runner, interpreter) = ArchitectureSupport.Require(session.Recipe.Architecture,
            session.Options.Environment.GetValueOrDefault("BOOTSTRAP_BINFMT_MISC"));
        if (runner != ArchitectureRunner.Native)
            session.Reporter.Verbose($"{session.Recipe.Architecture} programs run {(interpreter is null ? "in the kernel's compat mode" : "under " + interpreter)}");
    }
}
