using Bootstrapper.Engine.Families.Debian.Install;

namespace Bootstrapper.EndToEnd.Install;

/// <summary>Cancelling an install while dpkg runs in the chroot: it stops promptly and leaves nothing running.</summary>
public sealed class CancelledInstallTests
{
    [Fact]
    public async Task Cancelling_during_the_essential_stage_kills_dpkg_and_cleans_up()
    {
        var root = MinbaseInstallFixture.NewRootPath();
        try
        {
            using var cts = new CancellationTokenSource();
            // Cancel once dpkg has been working for a moment (its output shows unpacking is under way).
            var dpkgLines = 0;
            var req = new InstallRequest
            {
                RootDirectory = root,
                Packages = MinbaseDebs.Get("bookworm"),
                Suite = "bookworm",
                Architecture = "amd64",
                Log = l => { if (l.StartsWith("Unpacking ", StringComparison.Ordinal) && Interlocked.Increment(ref dpkgLines) == 5) cts.Cancel(); },
            };
            var started = DateTime.UtcNow;
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Installer.InstallAsync(req, new HostDebExtractor(), null, cts.Token));
            Assert.True(dpkgLines >= 5);
            Assert.True(HostTools.WaitFor(() => HostTools.ProcessesWithRoot(root).Count == 0, 5),
                "processes left: " + string.Join(",", HostTools.ProcessesWithRoot(root)));
            Assert.Empty(HostTools.MountsUnder(root));
            Assert.False(Directory.Exists(Path.Combine(root, Installer.DebsDirectory)));
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(90));
        }
        finally
        {
            MinbaseInstallFixture.Remove(root);
        }
    }
}
