using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Locking;
using Bootstrapper.Core.Planning;
using Bootstrapper.Core.Recipes;

namespace Bootstrapper.Tests.Core.Locking;

public class LockFileTests
{
    private const string Repo = "http://127.0.0.1:8080/debian";
    private static readonly string ShaA = new('a', 64);
    private static readonly string ShaB = new('b', 64);

    internal static Recipe Recipe(string name = "debian-bookworm", DistroFamily family = DistroFamily.Debian,
        string arch = "amd64") => new()
        {
            SourcePath = "/r/" + name + ".toml",
            Name = name,
            Family = family,
            Architecture = arch,
            Sources = [],
            Keyrings = [],
            Packages = new PackageSelection(),
            Output = new OutputSettings { Path = "/out/x.tar" },
        };

    private static PlannedPackage Package(string name, string version, string sha, string arch = "amd64",
        string? q1 = null) => new()
        {
            Name = name,
            Version = version,
            Architecture = arch,
            Size = 1000 + name.Length,
            Sha256 = sha,
            Filename = $"pool/main/{name[0]}/{name}/{name}_{version.Replace(":", "%3a")}_{arch}.deb",
            RepositoryUrl = Repo,
            Reason = "essential",
            IndexChecksum = q1,
        };

    private static Plan SamplePlan(params PlannedPackage[] packages) => new()
    {
        Recipe = Recipe(),
        Packages = packages,
        Indices =
        [
            new IndexInfo
            {
                Url = Repo + "/dists/bookworm/InRelease", Suite = "bookworm", Date = "Sat, 09 Mar 2024 09:54:44 UTC",
                SignedBy = ["B8B80B5B623EAB6AD8775C45B7C5D7D6350947F8", "4CB50190207B4758A3F73A796ED0E7B82643E131"],
            },
        ],
    };

    private static Plan Sample() => SamplePlan(
        Package("libc6", "2.36-9+deb12u4", ShaA),
        Package("base-files", "12.4+deb12u5", ShaB),
        Package("libc6", "2.36-9+deb12u4", ShaB, arch: "i386"));

    [Fact]
    public void Writes_sorted_deterministic_json_with_plus_signs_unescaped()
    {
        var expected = $$"""
            {
              "format": 1,
              "recipe": "debian-bookworm",
              "family": "debian",
              "architecture": "amd64",
              "selection": "{{RecipeSelection.Hash(Recipe())}}",
              "packages": [
                {
                  "name": "base-files",
                  "version": "12.4+deb12u5",
                  "architecture": "amd64",
                  "repository": "http://127.0.0.1:8080/debian",
                  "filename": "pool/main/b/base-files/base-files_12.4+deb12u5_amd64.deb",
                  "size": 1010,
                  "sha256": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
                },
                {
                  "name": "libc6",
                  "version": "2.36-9+deb12u4",
                  "architecture": "amd64",
                  "repository": "http://127.0.0.1:8080/debian",
                  "filename": "pool/main/l/libc6/libc6_2.36-9+deb12u4_amd64.deb",
                  "size": 1005,
                  "sha256": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                },
                {
                  "name": "libc6",
                  "version": "2.36-9+deb12u4",
                  "architecture": "i386",
                  "repository": "http://127.0.0.1:8080/debian",
                  "filename": "pool/main/l/libc6/libc6_2.36-9+deb12u4_i386.deb",
                  "size": 1005,
                  "sha256": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
                }
              ],
              "indices": [
                {
                  "url": "http://127.0.0.1:8080/debian/dists/bookworm/InRelease",
                  "suite": "bookworm",
                  "date": "Sat, 09 Mar 2024 09:54:44 UTC",
                  "signedBy": [
                    "4CB50190207B4758A3F73A796ED0E7B82643E131",
                    "B8B80B5B623EAB6AD8775C45B7C5D7D6350947F8"
                  ]
                }
              ]
            }

            """;
        Assert.Equal(expected, LockFile.FromPlan(Sample()).ToJson());
    }

    [Fact]
    public void Package_order_in_the_plan_does_not_change_the_bytes()
    {
        var plan = Sample();
        var reversed = plan with { Packages = plan.Packages.Reverse().ToList() };
        Assert.Equal(LockFile.FromPlan(plan).ToJson(), LockFile.FromPlan(reversed).ToJson());
    }

    [Fact]
    public void Round_trips_through_json()
    {
        var written = LockFile.FromPlan(Sample()).ToJson();
        var read = LockFile.FromJson(written, "t.lock.json");
        Assert.Equal(written, read.ToJson());
        Assert.Equal(3, read.Packages.Count);
        Assert.Equal("2.36-9+deb12u4", read.Packages[1].Version);
        Assert.Equal(3020, read.TotalSize);
        Assert.Equal("Sat, 09 Mar 2024 09:54:44 UTC", read.Indices[0].Date);
    }

    [Fact]
    public void Alpine_q1_comes_from_the_index_checksum_and_survives_a_round_trip()
    {
        const string q1 = "Q1C4uoV7SdMdDhYg4OCVmI71D8HIA=";
        var plan = SamplePlan(
            Package("busybox", "1.37.0-r12", ShaA, "x86_64", q1),
            Package("musl", "1.2.5-r10", ShaB, "x86_64", q1)) with
        {
            Recipe = Recipe("alpine", DistroFamily.Alpine, "x86_64"),
        };
        var lockFile = LockFile.FromJson(LockFile.FromPlan(plan).ToJson(), "a.lock.json");
        Assert.Equal("alpine", lockFile.Family);
        Assert.All(lockFile.Packages, p => Assert.Equal(q1, p.Q1));
    }

    [Fact]
    public void Alpine_package_may_have_q1_without_sha256()
    {
        var json = Mutate(s => s.Replace("\"family\": \"debian\"", "\"family\": \"alpine\"")
            .Replace($"\"sha256\": \"{ShaB}\"", "\"q1\": \"Q1C4uoV7SdMdDhYg4OCVmI71D8HIA=\""));
        var lockFile = LockFile.FromJson(json, "a.lock.json");
        Assert.Null(lockFile.Packages[0].Sha256);
        Assert.Equal("Q1C4uoV7SdMdDhYg4OCVmI71D8HIA=", lockFile.Packages[0].Q1);
    }

    [Fact]
    public void ToPlan_gives_back_the_locked_packages_for_the_same_recipe()
    {
        var lockFile = LockFile.FromPlan(Sample());
        var plan = lockFile.ToPlan(Recipe(), "debian-bookworm.lock.json");
        Assert.Equal(["base-files", "libc6", "libc6"], plan.Packages.Select(p => p.Name));
        Assert.All(plan.Packages, p => Assert.Equal("locked", p.Reason));
        Assert.All(plan.Packages, p => Assert.Equal(Repo, p.RepositoryUrl));
        Assert.Equal(3020, plan.TotalSize);
        Assert.Equal("bookworm", Assert.Single(plan.Indices).Suite);
    }

    [Fact]
    public void ToPlan_refuses_a_lock_made_for_another_recipe()
    {
        var lockFile = LockFile.FromPlan(Sample());
        var e = Assert.Throws<RecipeException>(() => lockFile.ToPlan(Recipe(arch: "arm64"), "x.lock.json"));
        Assert.Equal(ExitCodes.UsageOrRecipe, e.ExitCode);
        Assert.StartsWith("x.lock.json: this lock file is for recipe 'debian-bookworm' (debian, amd64), not for " +
                          "'debian-bookworm' (debian, arm64)", e.Message);
    }

    [Fact]
    public void Lock_path_sits_beside_the_recipe()
    {
        Assert.Equal("/r/debian-bookworm.lock.json", LockFile.PathFor("/r/debian-bookworm.toml"));
        Assert.Equal("a.lock.json", LockFile.PathFor("a.toml"));
    }

    private static string Mutate(Func<string, string> change)
    {
        var original = LockFile.FromPlan(Sample()).ToJson();
        var changed = change(original);
        Assert.NotEqual(original, changed); // the mutation must hit, or the test proves nothing
        return changed;
    }

    public static TheoryData<string, string, string> Malformed => new()
    {
        { "\"format\": 1,", "\"format\": 1", "t.lock.json:3: not valid JSON" },
        { "\"format\": 1", "\"format\": 2", "t.lock.json: format: format 2 was written by a newer bootstrap" },
        { "\"format\": 1,", "", "t.lock.json: format: missing." },
        { "\"family\": \"debian\"", "\"family\": \"fedora\"", "t.lock.json: family: must be \"debian\" or \"alpine\", got \"fedora\"." },
        { "\"recipe\": \"debian-bookworm\"", "\"recipe\": 7", "t.lock.json: recipe: expected a string, got the number 7." },
        { "\"recipe\"", "\"recipes\"", "t.lock.json: recipes: unknown key (expected one of: format, recipe," },
        { "\"size\": 1010", "\"size\": \"1010\"", "t.lock.json: packages[0].size: expected a whole number, got the string \"1010\"." },
        { "\"size\": 1010", "\"size\": -1", "t.lock.json: packages[0].size: package base-files: size must not be negative, got -1." },
        { "\"size\": 1010", "\"size\": 10.5", "t.lock.json: packages[0].size: expected a whole number, got the number 10.5." },
        { "\"sha256\": \"bbbb", "\"sha256\": \"BBBB", "t.lock.json: packages[0].sha256: package base-files: must be 64 lower-case hex digits" },
        { "bbbbbbbbbbbbbbbb\"\n    },\n    {\n      \"name\": \"libc6\"", "bbbbbbbbbbbbbbbb\", \"q1\": \"Q1abc\"\n    },\n    {\n      \"name\": \"libc6\"", "t.lock.json: packages[0].q1: package base-files: must be \"Q1\" and the base64 of a 20-byte SHA-1, got \"Q1abc\"." },
        { ",\n      \"sha256\": \"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"\n    },\n    {\n      \"name\": \"libc6\"", "\n    },\n    {\n      \"name\": \"libc6\"", "t.lock.json: packages[0].sha256: package base-files: missing; without it the download cannot be verified." },
        { "\"filename\": \"pool/main/b", "\"filename\": \"../../etc/b", "t.lock.json: packages[0].filename: package base-files: \"../../etc/b" },
        { "\"filename\": \"pool/main/b", "\"filename\": \"/pool/main/b", "is not a relative path inside the repository (it is an absolute path)." },
        { "\"filename\": \"pool/main/b", "\"filename\": \"pool/%2e%2e/%2e%2e/b", "is not a relative path inside the repository (it has a '..' segment once %-escapes are decoded)." },
        { "\"size\": 1010", "\"size\": 9223372036854775807", "t.lock.json: packages[0].size: package base-files: 9223372036854775807 bytes is absurd (more than 1 TiB)." },
        { "\"name\": \"base-files\"", "\"name\": \"\"", "t.lock.json: packages[0].name: must not be empty." },
        { "\"architecture\": \"i386\"", "\"architecture\": \"amd64\"", "t.lock.json: packages[2]: libc6:amd64 is listed twice (also packages[1])" },
        { "\"4CB50190207B4758A3F73A796ED0E7B82643E131\"", "17", "t.lock.json: indices[0].signedBy[0]: expected a non-empty string, got the number 17." },
        { "\"suite\": \"bookworm\"", "\"codename\": \"bookworm\"", "t.lock.json: indices[0].codename: unknown key (expected one of: url, suite, date, signedBy)." },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_lock_files_name_the_file_path_and_problem(string find, string replace, string message)
    {
        var json = Mutate(s => ReplaceFirst(s, find, replace));
        var e = Assert.Throws<RecipeException>(() => LockFile.FromJson(json, "t.lock.json"));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Duplicate_keys_are_rejected()
    {
        var json = Mutate(s => ReplaceFirst(s, "\"size\": 1010,", "\"size\": 1010, \"size\": 99,"));
        var e = Assert.Throws<RecipeException>(() => LockFile.FromJson(json, "t.lock.json"));
        Assert.Equal("t.lock.json: packages[0].size: appears twice in the same object.", e.Message);
    }

    [Fact]
    public void Merge_conflict_markers_get_their_own_message()
    {
        var json = Mutate(s => ReplaceFirst(s, "      \"version\": \"12.4+deb12u5\",\n",
            "<<<<<<< HEAD\n      \"version\": \"12.4+deb12u5\",\n=======\n      \"version\": \"12.4+deb12u6\",\n>>>>>>> b\n"));
        var e = Assert.Throws<RecipeException>(() => LockFile.FromJson(json, "t.lock.json"));
        Assert.StartsWith("t.lock.json:10: unresolved merge conflict.", e.Message);
    }

    [Fact]
    public void Not_an_object_at_all()
    {
        var e = Assert.Throws<RecipeException>(() => LockFile.FromJson("[]", "t.lock.json"));
        Assert.Equal("t.lock.json: the document: expected an object, got an array.", e.Message);
    }

    [Fact]
    public void Packages_must_be_an_array()
    {
        const string json = """{"format": 1, "recipe": "r", "family": "debian", "architecture": "amd64", "packages": {}, "indices": []}""";
        var e = Assert.Throws<RecipeException>(() => LockFile.FromJson(json, "t.lock.json"));
        Assert.Equal("t.lock.json: packages: expected an array, got an object.", e.Message);
    }

    private static string ReplaceFirst(string text, string find, string replace)
    {
        var at = text.IndexOf(find, StringComparison.Ordinal);
        return at < 0 ? text : text[..at] + replace + text[(at + find.Length)..];
    }
}
