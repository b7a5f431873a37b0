using Bootstrapper.Core.Staging;

namespace Bootstrapper.Tests.Core.Staging;

/// <summary>The rule alone, for a build run by an ordinary user (uid 1000): root and that user are trusted above the
/// staging directory, only that user for the directory itself.</summary>
public sealed class StagingDirectoryRuleTests
{
    private const uint User = 1000;

    private static string? Refusal(PathFacts f, bool isAncestor) =>
        StagingDirectoryRule.Refusal("/s/staging", StagingSource.Variable, f, isAncestor, User)?.Message;

    [Theory]
    [InlineData(1000u, 0b111_101_101u)]      // the user's
    [InlineData(0u, 0b111_101_101u)]         // root's
    [InlineData(0u, 0b1_111_111_111u)]       // root's, shared and sticky (/tmp)
    public void An_ancestor_owned_by_root_or_the_user_and_not_open_to_others_is_accepted(uint owner, uint mode) =>
        Assert.Null(Refusal(new PathFacts("/s", PathKind.Directory, owner, mode), isAncestor: true));

    [Fact]
    public void An_ancestor_of_a_third_user_is_refused_naming_both()
    {
        Assert.StartsWith("refusing the staging directory '/s/staging' (BOOTSTRAP_STAGING_DIR): its ancestor '/s' is " +
            "owned by uid 2000 (mode 0755), neither by root nor by uid 1000, who runs the build: another user could " +
            "swap the build's root for a tree of their own and the build would run their programs as uid 1000.",
            Refusal(new PathFacts("/s", PathKind.Directory, 2000, 0b111_101_101), isAncestor: true));
    }

    [Fact]
    public void The_staging_directory_itself_must_be_the_users_not_roots()
    {
        Assert.Null(Refusal(new PathFacts("/s/staging", PathKind.Directory, User, 0b111_000_000), isAncestor: false));
        Assert.Equal("refusing the staging directory '/s/staging' (BOOTSTRAP_STAGING_DIR): it is owned by root " +
            "(mode 0700), not by uid 1000, who runs the build: another user could swap the build's root for a tree of " +
            "their own and the build would run their programs as uid 1000. Fix it (chown 1000 '/s/staging' && chmod " +
            "0700 '/s/staging'), or set BOOTSTRAP_STAGING_DIR to a directory owned by uid 1000 that nobody else can " +
            "write to.", Refusal(new PathFacts("/s/staging", PathKind.Directory, 0, 0b111_000_000), isAncestor: false));
    }
}
