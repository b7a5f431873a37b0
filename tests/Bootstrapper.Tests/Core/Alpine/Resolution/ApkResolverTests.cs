using Bootstrapper.Core.Alpine.Package;
using Bootstrapper.Core.Alpine.Resolution;
using Bootstrapper.Core.Alpine.Versions;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Tests.Core.Alpine.Resolution;

public class ApkResolverTests
{
    private static ApkPackageInfo P(string name, string version = "1.0-r0", string? depends = null,
        string? provides = null, string? installIf = null, int priority = 0, int repo = 0) => new()
        {
            Checksum = "Q1" + Convert.ToBase64String(System.Security.Cryptography.SHA1.HashData(
            System.Text.Encoding.UTF8.GetBytes(name + version + repo))),
            Name = name,
            Version = version,
            Depends = ApkDependency.ParseList(depends, name),
            Provides = ApkDependency.ParseList(provides, name),
            InstallIf = ApkDependency.ParseList(installIf, name),
            ProviderPriority = priority,
            RepositoryOrder = repo,
        };

    private static string[] Names(IReadOnlyList<ResolvedApk> r) => r.Select(x => x.Package.ToString()).ToArray();

    [Fact]
    public void Resolves_so_and_cmd_provides_dependencies_first()
    {
        var r = new ApkResolver(
        [
            P("alpine-base", depends: "busybox cmd:ls"),
            P("busybox", "1.37.0-r19", depends: "so:libc.musl-x86_64.so.1", provides: "cmd:ls=1.37.0-r19 cmd:sh=1.37.0-r19"),
            P("musl", "1.2.5-r10", provides: "so:libc.musl-x86_64.so.1=1"),
        ]).Resolve(["alpine-base"]);

        Assert.Equal(["musl-1.2.5-r10", "busybox-1.37.0-r19", "alpine-base-1.0-r0"], Names(r));
        Assert.Equal("world", r[2].Reason);
        Assert.Equal("depends of busybox", r[0].Reason);
    }

    [Fact]
    public void Picks_highest_version_then_earliest_repository()
    {
        var r = new ApkResolver(
        [
            P("a", "1.0-r0", repo: 0), P("a", "1.1-r0", repo: 1), P("b", "2.0-r0", repo: 1), P("b", "2.0-r0", repo: 0),
        ]).Resolve(["a", "b"]);
        Assert.Equal("1.1-r0", r.Single(x => x.Package.Name == "a").Package.Version);
        Assert.Equal(0, r.Single(x => x.Package.Name == "b").Package.RepositoryOrder);
    }

    [Fact]
    public void Version_constraint_is_honoured()
    {
        var r = new ApkResolver([P("a", "1.0-r0"), P("a", "2.0-r0")]).Resolve(["a<2"]);
        Assert.Equal(["a-1.0-r0"], Names(r));
    }

    [Fact]
    public void Provider_priority_chooses_among_virtual_providers()
    {
        var r = new ApkResolver(
        [
            P("app", depends: "/bin/sh"),
            P("dash-binsh", provides: "/bin/sh", priority: 60),
            P("busybox-binsh", provides: "/bin/sh", priority: 100),
        ]).Resolve(["app"]);
        Assert.Equal(["busybox-binsh-1.0-r0", "app-1.0-r0"], Names(r));
    }

    [Fact]
    public void Virtual_without_priority_needs_explicit_choice()
    {
        var idx = new ApkPackageInfo[] { P("app", depends: "mta"), P("postfix", provides: "mta"), P("exim", provides: "mta") };
        var e = Assert.Throws<ResolutionException>(() => new ApkResolver(idx).Resolve(["app"]));
        Assert.Contains("virtual name provided by postfix, exim without provider_priority", e.Message);
        // Naming one in world settles it: "mta" is then already provided.
        Assert.Equal(["exim-1.0-r0", "app-1.0-r0"], Names(new ApkResolver(idx).Resolve(["exim", "app"])));
    }

    [Fact]
    public void Install_if_adds_package_when_all_conditions_hold()
    {
        var idx = new ApkPackageInfo[]
        {
            P("bash"), P("docs"), P("bash-doc", installIf: "bash=1.0-r0 docs"), P("zsh-doc", installIf: "zsh docs"),
        };
        Assert.Equal(["bash-1.0-r0", "docs-1.0-r0", "bash-doc-1.0-r0"], Names(new ApkResolver(idx).Resolve(["bash", "docs"])));
        Assert.Equal(["bash-1.0-r0"], Names(new ApkResolver(idx).Resolve(["bash"])));
        Assert.StartsWith("install_if", new ApkResolver(idx).Resolve(["docs", "bash"])[2].Reason);
    }

    [Fact]
    public void Conflict_excludes_provider()
    {
        var idx = new ApkPackageInfo[]
        {
            P("app", depends: "!busybox-binsh /bin/sh"),
            P("busybox-binsh", provides: "/bin/sh", priority: 100),
            P("dash-binsh", provides: "/bin/sh", priority: 60),
        };
        Assert.Equal(["dash-binsh-1.0-r0", "app-1.0-r0"], Names(new ApkResolver(idx).Resolve(["app"])));
    }

    [Fact]
    public void Conflict_with_selected_package_fails_with_chain()
    {
        var idx = new ApkPackageInfo[] { P("a", depends: "b"), P("b", depends: "!c"), P("c") };
        var e = Assert.Throws<ResolutionException>(() => new ApkResolver(idx).Resolve(["a", "c"]));
        Assert.Equal("Cannot resolve the Alpine package set: world -> a-1.0-r0 needs 'b', but every provider is " +
                     "excluded: b-1.0-r0: its rule '!c' excludes the selected c-1.0-r0.", e.Message);
    }

    [Fact]
    public void Unsatisfiable_dependency_reports_chain()
    {
        var idx = new ApkPackageInfo[] { P("alpine-base", depends: "busybox"), P("busybox", depends: "so:libfoo.so.1") };
        var e = Assert.Throws<ResolutionException>(() => new ApkResolver(idx).Resolve(["alpine-base"]));
        Assert.Equal("Cannot resolve the Alpine package set: world -> alpine-base-1.0-r0 -> busybox-1.0-r0 needs " +
                     "'so:libfoo.so.1', which no package provides.", e.Message);
    }

    [Fact]
    public void Same_name_provided_twice_with_versions_conflicts()
    {
        var idx = new ApkPackageInfo[] { P("a", provides: "cmd:x=1"), P("b", provides: "cmd:x=2") };
        var e = Assert.Throws<ResolutionException>(() => new ApkResolver(idx).Resolve(["a", "b"]));
        Assert.Contains("cmd:x is already provided by a-1.0-r0", e.Message);
    }

    [Fact]
    public void Dependency_cycles_are_ordered_deterministically()
    {
        var idx = new ApkPackageInfo[] { P("a", depends: "b"), P("b", depends: "a") };
        Assert.Equal(["b-1.0-r0", "a-1.0-r0"], Names(new ApkResolver(idx).Resolve(["a"])));
    }
}
