using System.Security.Cryptography;
using Bootstrapper.Engine.Families.Debian.Repository;

namespace Bootstrapper.Tests.Engine.Families.Debian.Repository;

/// <summary>The on-disk cache: decoded indices read back by digest, and universe snapshots by key.</summary>
public sealed class IndexCacheTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("index-cache").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(9 << 20)] // more than one read block
    public void A_blob_is_read_back_when_its_digest_matches(int size)
    {
        var cache = new RepositoryIndexCache(_dir);
        var data = new byte[size];
        new Random(size).NextBytes(data);
        RepositoryIndexCache.WriteAtomically(cache.BlobPath(Sha256(data), ""), data);
        Assert.Equal(data, cache.TryReadBlob(Sha256(data), "", size));
    }

    [Fact]
    public void A_damaged_or_resized_blob_is_removed()
    {
        var cache = new RepositoryIndexCache(_dir);
        var data = new byte[5 << 20];
        new Random(1).NextBytes(data);
        var sha = Sha256(data);
        var path = cache.BlobPath(sha, "");

        var damaged = (byte[])data.Clone();
        damaged[^1] ^= 1;
        RepositoryIndexCache.WriteAtomically(path, damaged);
        Assert.Null(cache.TryReadBlob(sha, "", data.Length));
        Assert.False(File.Exists(path));

        RepositoryIndexCache.WriteAtomically(path, data.AsSpan(..^1));
        Assert.Null(cache.TryReadBlob(sha, "", data.Length));
        Assert.False(File.Exists(path));

        Assert.Null(cache.TryReadBlob(sha, "", data.Length)); // absent
    }

    [Fact]
    public void Universe_key_names_the_indices_their_order_pins_and_architecture()
    {
        var a = new string('a', 64);
        var b = new string('b', 64);
        var key = RepositoryIndexCache.UniverseKey("amd64", [(a, 500), (b, 500)]);
        Assert.Equal(key, RepositoryIndexCache.UniverseKey("amd64", [(a, 500), (b, 500)]));
        Assert.NotEqual(key, RepositoryIndexCache.UniverseKey("arm64", [(a, 500), (b, 500)]));
        Assert.NotEqual(key, RepositoryIndexCache.UniverseKey("amd64", [(b, 500), (a, 500)]));
        Assert.NotEqual(key, RepositoryIndexCache.UniverseKey("amd64", [(a, 500), (b, 100)]));
        Assert.NotEqual(key, RepositoryIndexCache.UniverseKey("amd64", [(a, 500)]));
    }

    [Fact]
    public void Universe_snapshots_are_stored_by_key_and_idle_ones_removed()
    {
        var cache = new RepositoryIndexCache(_dir);
        Assert.Null(cache.TryReadUniverse("k1"));
        cache.WriteUniverse("k1", [1, 2, 3], TimeSpan.FromDays(1));
        cache.WriteUniverse("k2", [4], TimeSpan.FromDays(1));
        Assert.Equal([1, 2, 3], cache.TryReadUniverse("k1"));

        // k1 unused for two days, k2 just read: writing k3 removes k1 only.
        File.SetLastWriteTimeUtc(cache.UniversePath("k1"), DateTime.UtcNow.AddDays(-2));
        File.SetLastWriteTimeUtc(cache.UniversePath("k2"), DateTime.UtcNow.AddDays(-2));
        Assert.Equal([4], cache.TryReadUniverse("k2"));
        cache.WriteUniverse("k3", [5], TimeSpan.FromDays(1));
        Assert.Null(cache.TryReadUniverse("k1"));
        Assert.Equal([4], cache.TryReadUniverse("k2"));
        Assert.Equal([5], cache.TryReadUniverse("k3"));
    }
}
