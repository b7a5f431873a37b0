namespace Bootstrapper.EndToEnd.Build;

/// <summary>
/// The product's core promise, checked the way a user would: the image imports into podman and is a configured
/// Debian system (dpkg and apt are happy, users and alternatives work).
/// </summary>
[Collection(BookwormImageCollection.Name)]
public sealed class BookwormImageTests(BookwormImageFixture image)
{
    // This machine's podman needs runc (crun fails on its cgroup layout) and explicit ulimits (no CAP_SYS_RESOURCE).
    private static readonly string[] RunFlags =
        ["--runtime", "runc", "--network=none", "--ulimit", "nofile=20000:20000", "--ulimit", "nproc=32768:32768"];

    private static readonly Lock ImportLock = new();

    private string Import()
    {
        lock (ImportLock)
        {
            var tag = "localhost/bootstrap-e2e:" + Path.GetFileName(image.WorkDir).ToLowerInvariant().Replace('_', '-');
            if (Sh.Run("podman", "image", "exists", tag).ExitCode != 0)
                Sh.Run("podman", "import", image.ImagePath, tag).Ok("podman import");
            return tag;
        }
    }

    private string InContainer(string script)
    {
        var args = new List<string> { "run", "--rm" };
        args.AddRange(RunFlags);
        args.AddRange([Import(), "/bin/sh", "-c", script]);
        return Sh.Run("podman", args.ToArray()).Ok($"podman run: {script}").Stdout;
    }

    [Fact]
    public void Dpkg_audit_is_clean_in_podman() => Assert.Equal("", InContainer("dpkg --audit").Trim());

    [Fact]
    public void Dpkg_verify_is_clean_in_podman() => Assert.Equal("", InContainer("dpkg --verify").Trim());

    [Fact]
    public void Apt_get_check_passes_in_podman() => InContainer("apt-get check");

    [Fact]
    public void Root_user_and_awk_work_in_podman()
    {
        Assert.StartsWith("root:x:0:0:", InContainer("getent passwd root"));
        Assert.Equal("mawk", InContainer("basename $(readlink -f /usr/bin/awk)").Trim());
        Assert.Equal("3", InContainer("echo '1 2' | awk '{print $1 + $2}'").Trim());
    }

    [Fact]
    public void No_host_data_leaks_into_the_image()
    {
        var listing = Sh.Run("tar", "-tf", image.ImagePath).Ok("tar -t").Stdout.Split('\n');
        Assert.DoesNotContain("./etc/hostname", listing);
        Assert.DoesNotContain(listing, l => l.StartsWith("./var/lib/apt/lists/") && l.EndsWith("Packages"));
        Assert.DoesNotContain(listing, l => l.EndsWith(".deb"));
        Assert.DoesNotContain("./var/log/dpkg.log", listing);
        Assert.DoesNotContain("./var/cache/ldconfig/aux-cache", listing);
        var resolv = Sh.Bash($"tar -xOf '{image.ImagePath}' ./etc/resolv.conf 2>/dev/null || true").Stdout;
        Assert.Equal("", resolv.Trim());
        var machineId = Sh.Bash($"tar -xOf '{image.ImagePath}' ./etc/machine-id 2>/dev/null || true").Stdout;
        Assert.Equal("", machineId.Trim());
        var sources = Sh.Bash($"tar -xOf '{image.ImagePath}' ./etc/apt/sources.list.d/debian.sources ./etc/apt/sources.list 2>/dev/null || true").Stdout;
        Assert.DoesNotContain("file:", sources);
        Assert.Contains("bookworm-security", sources);
    }

    [Fact]
    public void Dev_has_the_reference_device_nodes()
    {
        var listing = Sh.Run("tar", "-tvf", image.ImagePath).Ok("tar -tv").Stdout;
        foreach (var (name, majorMinor) in new[] { ("null", "1,3"), ("zero", "1,5"), ("full", "1,7"), ("random", "1,8"),
                     ("urandom", "1,9"), ("tty", "5,0"), ("console", "5,1"), ("ptmx", "5,2") })
            Assert.Matches($@"(?m)^c\S+ 0/0\s+{majorMinor} .* \./dev/{name}$", listing);
    }

    [Fact]
    public async Task A_second_build_with_the_same_epoch_is_byte_identical()
    {
        var second = Path.Combine(image.WorkDir, "second.tar");
        var (code, log) = await BookwormImageFixture.BuildAsync(second);
        Assert.True(code == 0, log);
        var a = Sh.Run("sha256sum", image.ImagePath).Ok("sha256sum").Stdout.Split(' ')[0];
        var b = Sh.Run("sha256sum", second).Ok("sha256sum").Stdout.Split(' ')[0];
        if (a != b)
        {
            var diff = Sh.Bash($"diff <(tar -tvf '{image.ImagePath}') <(tar -tvf '{second}') | head -40").Stdout;
            Assert.Fail($"builds differ ({a} vs {b}):\n{diff}");
        }
    }
}
