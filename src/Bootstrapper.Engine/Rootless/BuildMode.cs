namespace Bootstrapper.Engine.Rootless;

/// <summary>How a build gets the privileges that installing packages needs (`--mode`).</summary>
internal enum BuildMode
{
    /// <summary>Root when run as root (or already inside our user namespace), else unshare.</summary>
    Auto,
    /// <summary>The build runs as root: owners, device nodes and mounts are real.</summary>
    Root,
    /// <summary>
    /// mmdebstrap's unshare mode: the build re-executes itself in a user namespace that maps the invoking user to
    /// root and the user's subordinate ids (/etc/subuid, /etc/subgid) to 1..65535, so package owners exist.
    /// </summary>
    Unshare,
}
