using Bootstrapper.Engine.Families.Debian.Install;

namespace Bootstrapper.Tests.Engine.Families.Debian.Install;

public sealed class InstallOrderTests
{
    private static InstallRelations R(string name, string pre = "", string dep = "", string prov = "") => new(name, pre, dep, prov);

    [Fact]
    public void Without_pre_dependencies_everything_is_one_run_in_input_order()
    {
        var runs = InstallOrder.Runs([R("apt", dep: "libapt-pkg6.0 (>= 2.6.1), gpgv | gpgv2"), R("libapt-pkg6.0"), R("gpgv")]);
        Assert.Equal([["apt", "libapt-pkg6.0", "gpgv"]], runs);
    }

    [Fact]
    public void Pre_dependency_and_what_it_depends_on_come_first()
    {
        // Shape of bookworm's e2fsprogs: Pre-Depends on libext2fs2, which depends on libcom-err2.
        var runs = InstallOrder.Runs([
            R("e2fsprogs", pre: "libext2fs2 (= 1.47.0-2+b2), libc6 (>= 2.34)", dep: "logsave"),
            R("logsave"),
            R("libcom-err2"),
            R("libext2fs2", dep: "libcom-err2 (>= 1.43.9)"),
            R("apt"),
        ]);
        Assert.Equal([["libcom-err2", "libext2fs2"], ["e2fsprogs", "logsave", "apt"]], runs);
    }

    [Fact]
    public void Nested_pre_dependencies_get_their_own_earlier_runs()
    {
        var runs = InstallOrder.Runs([R("a", pre: "b"), R("b", pre: "c"), R("c")]);
        Assert.Equal([["c"], ["b"], ["a"]], runs);
    }

    [Fact]
    public void Virtual_package_pre_dependency_is_satisfied_by_its_provider()
    {
        var runs = InstallOrder.Runs([R("x", pre: "awk"), R("mawk", prov: "awk")]);
        Assert.Equal([["mawk"], ["x"]], runs);
    }

    [Fact]
    public void Pre_dependencies_outside_the_set_count_as_installed()
    {
        var runs = InstallOrder.Runs([R("x", pre: "libc6 (>= 2.34)"), R("y")]);
        Assert.Equal([["x", "y"]], runs);
    }

    [Fact]
    public void A_pre_dependency_cycle_is_left_to_dpkg_to_report()
    {
        var runs = InstallOrder.Runs([R("a", pre: "b"), R("b", pre: "a")]);
        Assert.Equal([["a", "b"]], runs);
    }

    [Theory]
    [InlineData("libc6 (>= 2.34), libgcc-s1 | libgcc1, python3:any, foo [amd64], bar <stage1>", "libc6 libgcc-s1 libgcc1 python3 foo bar")]
    [InlineData("", "")]
    public void Names_strips_versions_qualifiers_and_restrictions(string field, string names) =>
        Assert.Equal(names.Split(' ', StringSplitOptions.RemoveEmptyEntries), InstallOrder.Names(field));
}
