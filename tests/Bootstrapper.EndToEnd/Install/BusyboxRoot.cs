using Bootstrapper.Engine.Sandbox;

namespace Bootstrapper.EndToEnd.Install;

/// <summary>A tiny root with the host's static busybox (Debian package busybox-static) and our /dev nodes.</summary>
public sealed class BusyboxRoot : IDisposable
{
    public string Root { get; }

    public BusyboxRoot()
    {
        Root = Directory.CreateTempSubdirectory("bootstrap-busybox-").FullName;
        Directory.CreateDirectory(Path.Combine(Root, "bin"));
        Directory.CreateDirectory(Path.Combine(Root, "proc"));
        File.Copy("/bin/busybox", Path.Combine(Root, "bin/busybox"));
        foreach (var applet in new[] { "sh", "sleep", "cat", "echo", "ls", "grep" })
            File.CreateSymbolicLink(Path.Combine(Root, "bin", applet), "busybox");
        ChrootDevices.Create(Root);
    }

    /// <summary>Process ids whose root directory is this root (what a leaked chrooted process would show).</summary>
    public List<int> ProcessesInside() => HostTools.ProcessesWithRoot(Root);

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
