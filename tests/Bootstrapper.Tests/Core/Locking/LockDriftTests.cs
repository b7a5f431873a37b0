using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Locking;
using Bootstrapper.Tests.Fixtures;

namespace Bootstrapper.Tests.Core.Locking;

public class LockDriftTests
{
    private const string Url = "http://127.0.0.1:8080/debian/dists/bookworm/InRelease";
    private const string SecurityUrl = "http://127.0.0.1:8080/debian-security/dists/bookworm-security/InRelease";

    private static LockedPackage Pkg(string name, string version, char sha = 'a', string arch = "amd64", string? q1 = null) => new()
    {
        Name = name,
        Version = version,
        Architecture = arch,
        Repository = "http://127.0.0.1:8080/debian",
        Filename = $"pool/main/{name[0]}/{name}/{name}_{version}_{arch}.deb",
        Size = 1000,
        Sha256 = q1 is null ? new string(sha, 64) : null,
        Q1 = q1,
    };

    private static LockedIndex Index(string url, string suite, string date, params string[] keys) =>
        new() { Url = url, Suite = suite, Date = date, SignedBy = keys.Length > 0 ? keys : ["AAAA"] };

    private static LockFile Lock(LockedPackage[] packages, params LockedIndex[] indices) => new()
    {
        Recipe = "debian-bookworm",
        Family = "debian",
        Architecture = "amd64",
        Packages = packages,
        Indices = indices,
    };

    [Fact]
    public void An_unchanged_plan_has_no_drift_even_when_the_index_was_republished()
    {
        var locked = Lock([Pkg("libc6", "2.36-9+deb12u9"), Pkg("mawk", "1.3.4.20200120-3.1")],
            Index(Url, "bookworm", "Sat, 08 Mar 2025 10:00:00 UTC"));
        var fresh = locked with { Indices = [Index(Url, "bookworm", "Sat, 15 Mar 2025 10:00:00 UTC")] };
        var drift = LockDrift.Compare(locked, fresh, TestVersionOrder.Dpkg);
        Assert.False(drift.HasDrift);
        Assert.Equal(2, drift.Unchanged);
        var index = Assert.Single(drift.Indices);
        Assert.Equal(("Sat, 08 Mar 2025 10:00:00 UTC", "Sat, 15 Mar 2025 10:00:00 UTC"), (index.OldDate, index.NewDate));
        Assert.Equal(
            $"Index bookworm ({Url}): Sat, 08 Mar 2025 10:00:00 UTC -> Sat, 15 Mar 2025 10:00:00 UTC\n" +
            "The lock file matches the plan (2 packages unchanged).\n", drift.ToText());
    }

    [Fact]
    public void Upgrades_additions_and_rebuilt_files_are_drift()
    {
        var locked = Lock([Pkg("libc6", "2.36-9+deb12u9"), Pkg("mawk", "1.3.4.20200120-3.1"), Pkg("usrmerge", "37~deb12u1")],
            Index(Url, "bookworm", "d1"));
        var fresh = Lock([Pkg("libc6", "2.36-9+deb12u10"), Pkg("mawk", "1.3.4.20200120-3.1", 'b'), Pkg("usr-is-merged", "37~deb12u1")],
            Index(Url, "bookworm", "d1"), Index(SecurityUrl, "bookworm-security", "d2"));
        var drift = LockDrift.Compare(locked, fresh, TestVersionOrder.Dpkg);
        Assert.True(drift.HasDrift);
        Assert.Equal("libc6", Assert.Single(drift.Upgraded).Name);
        Assert.Equal("mawk", Assert.Single(drift.Rebuilt).Name);
        Assert.Equal("usr-is-merged", Assert.Single(drift.Added).Name);
        Assert.Equal("usrmerge", Assert.Single(drift.Removed).Name);
        var index = Assert.Single(drift.Indices);
        Assert.Equal(("bookworm-security", null, "d2", true), (index.Suite, index.OldDate, index.NewDate, index.StillUsed));
        var text = drift.ToText();
        Assert.Contains("Upgraded (1):\n  libc6          amd64  2.36-9+deb12u9      ->  2.36-9+deb12u10     0 B\n", text);
        Assert.Contains($"Index bookworm-security ({SecurityUrl}): new, dated d2\n", text);
        Assert.EndsWith("The lock file is out of date (0 packages unchanged).\n", text);
    }

    [Fact]
    public void Alpine_packages_without_sha256_are_compared_by_q1()
    {
        const string q1a = "Q1C4uoV7SdMdDhYg4OCVmI71D8HIA=", q1b = "Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=";
        var locked = Lock([Pkg("busybox", "1.37.0-r12", arch: "x86_64", q1: q1a)]);
        Assert.False(LockDrift.Compare(locked, locked, TestVersionOrder.Dpkg).HasDrift);
        var fresh = Lock([Pkg("busybox", "1.37.0-r12", arch: "x86_64", q1: q1b)]);
        Assert.Equal("busybox", Assert.Single(LockDrift.Compare(locked, fresh, TestVersionOrder.Dpkg).Rebuilt).Name);
    }

    [Fact]
    public void Indices_no_longer_used_or_signed_by_other_keys_are_reported()
    {
        var locked = Lock([], Index(Url, "bookworm", "d1", "AAAA"), Index(SecurityUrl, "bookworm-security", "d2"));
        var fresh = Lock([], Index(Url, "bookworm", "d1", "BBBB"));
        var text = LockDrift.Compare(locked, fresh, TestVersionOrder.Dpkg).ToText();
        Assert.Contains($"Index bookworm ({Url}): signed by other keys\n", text);
        Assert.Contains($"Index bookworm-security ({SecurityUrl}): no longer used\n", text);
    }

    [Fact]
    public void A_lock_listing_a_package_twice_is_rejected()
    {
        var bad = Lock([Pkg("a", "1"), Pkg("a", "2")]);
        var e = Assert.Throws<RecipeException>(() => LockDrift.Compare(bad, Lock([]), TestVersionOrder.Dpkg));
        Assert.StartsWith("the lock file of 'debian-bookworm' lists a:amd64 twice", e.Message);
    }
}
