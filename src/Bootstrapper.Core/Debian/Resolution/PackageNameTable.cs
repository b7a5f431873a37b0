using System.Buffers;
using System.Text;

namespace Bootstrapper.Core.Debian.Resolution;

/// <summary>
/// Package names as UTF-8 bytes, numbered in the order they were first added: the intern table of a
/// <see cref="PackageUniverse"/> and, through that order, apt's cache order (<see cref="AptCacheOrder"/>).
/// </summary>
/// <remarks>
/// Why bytes: reading bookworm's indices adds or finds ~1.4 million names (every relationship target of every
/// stanza), of which ~100k are distinct and only the few hundred the resolver touches are ever needed as
/// strings. Hashing the bytes of the index in place avoids decoding and allocating each of them. Names are
/// copied into one arena, so the table does not keep the index bytes alive.
/// </remarks>
internal sealed class PackageNameTable
{
    private int[] _buckets;          // entry index + 1; 0 is empty (open addressing, linear probing)
    private Entry[] _entries;
    private byte[] _arena;
    private int _arenaUsed;
    private string?[] _strings;

    private struct Entry
    {
        public uint Hash;
        public int Offset;
        public int Length;
    }

    public PackageNameTable(int capacity = 1024)
    {
        int buckets = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, capacity * 2));
        _buckets = new int[buckets];
        _entries = new Entry[Math.Max(16, capacity)];
        _strings = new string?[_entries.Length];
        _arena = new byte[Math.Max(256, capacity * 16)];
    }

    /// <summary>How many distinct names were added; ids are 0 to Count - 1.</summary>
    public int Count { get; private set; }

    /// <summary>The id of <paramref name="name"/>, adding it (as the next id) when it is new.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public int GetOrAdd(ReadOnlySpan<byte> name)
    {
        uint hash = Hash(name);
        int mask = _buckets.Length - 1;
        int slot = (int)hash & mask;
        while (true)
        {
            int e = _buckets[slot] - 1;
            if (e < 0) break;
            ref var entry = ref _entries[e];
            if (entry.Hash == hash && name.SequenceEqual(_arena.AsSpan(entry.Offset, entry.Length))) return e;
            slot = (slot + 1) & mask;
        }
        int id = Count;
        if (id == _entries.Length)
        {
            Array.Resize(ref _entries, id * 2);
            Array.Resize(ref _strings, id * 2);
        }
        if (_arenaUsed + name.Length > _arena.Length)
            Array.Resize(ref _arena, Math.Max(_arena.Length * 2, _arenaUsed + name.Length));
        name.CopyTo(_arena.AsSpan(_arenaUsed));
        _entries[id] = new Entry { Hash = hash, Offset = _arenaUsed, Length = name.Length };
        _arenaUsed += name.Length;
        _buckets[slot] = id + 1;
        Count = id + 1;
        // Keep at least half the buckets free so that probe runs stay short.
        if (Count * 2 > _buckets.Length) Rehash(_buckets.Length * 2);
        return id;
    }

    /// <summary>The id of <paramref name="name"/>; -1 when it was never added.</summary>
    public int IdOf(ReadOnlySpan<byte> name)
    {
        uint hash = Hash(name);
        int mask = _buckets.Length - 1;
        for (int slot = (int)hash & mask; ; slot = (slot + 1) & mask)
        {
            int e = _buckets[slot] - 1;
            if (e < 0) return -1;
            ref var entry = ref _entries[e];
            if (entry.Hash == hash && name.SequenceEqual(_arena.AsSpan(entry.Offset, entry.Length))) return e;
        }
    }

    /// <summary>The id of <paramref name="name"/> (compared as its UTF-8 bytes); -1 when it was never added.</summary>
    public int IdOf(string name)
    {
        int max = Encoding.UTF8.GetMaxByteCount(name.Length);
        byte[]? rented = max > 512 ? ArrayPool<byte>.Shared.Rent(max) : null;
        Span<byte> buffer = rented ?? stackalloc byte[512];
        try
        {
            int n = Encoding.UTF8.GetBytes(name, buffer);
            return IdOf(buffer[..n]);
        }
        finally
        {
            if (rented != null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The name of an id, as a string made on first request and shared after that.</summary>
    public string NameOf(int id)
    {
        if ((uint)id >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(id));
        return _strings[id] ??= Encoding.UTF8.GetString(_arena, _entries[id].Offset, _entries[id].Length);
    }

    /// <summary>The UTF-8 bytes of an id's name.</summary>
    public ReadOnlySpan<byte> BytesOf(int id)
    {
        if ((uint)id >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(id));
        return _arena.AsSpan(_entries[id].Offset, _entries[id].Length);
    }

    private void Rehash(int size)
    {
        var buckets = new int[size];
        int mask = size - 1;
        for (int id = 0; id < Count; id++)
        {
            int slot = (int)_entries[id].Hash & mask;
            while (buckets[slot] != 0) slot = (slot + 1) & mask;
            buckets[slot] = id + 1;
        }
        _buckets = buckets;
    }

    /// <summary>
    /// FNV-1a, then a final mix so that the low bits used for the bucket depend on every byte. Not randomised:
    /// names come from indices whose signature was checked, not from an adversary choosing collisions.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static uint Hash(ReadOnlySpan<byte> s)
    {
        uint h = 2166136261;
        foreach (var b in s) h = (h ^ b) * 16777619;
        h ^= h >> 15;
        h *= 0x2c1b3c6d;
        h ^= h >> 12;
        return h;
    }
}
