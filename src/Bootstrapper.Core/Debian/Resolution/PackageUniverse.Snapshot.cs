using System.Security.Cryptography;
using System.Text;
using Bootstrapper.Core.Debian.Control;
using Bootstrapper.Core.Debian.Versions;

namespace Bootstrapper.Core.Debian.Resolution;

/// <summary>
/// A universe written as bytes, to be read back over the very same indices: what apt's pkgcache.bin is to its
/// lists. Reading bookworm's indices costs ~200 ms of two cores on every plan; a snapshot loads in a fraction.
/// </summary>
/// <remarks>
/// A snapshot holds the name table in cache order, the candidates with the fields read up front, and where each
/// candidate's stanza lies in its index; everything else is still read from the index bytes on first use, so a
/// snapshot is only valid for indices with exactly the same bytes. The caller must key it by the indices'
/// digests (and pins): here only the lengths, pins, architecture and the snapshot's own SHA-256 are checked,
/// and any mismatch or damage makes <see cref="FromSnapshot"/> return null.
/// </remarks>
internal sealed partial class PackageUniverse
{
    private static ReadOnlySpan<byte> Magic => "bootstrap-universe\n"u8;
    private const int FormatVersion = 1;

    /// <summary>The universe as bytes for <see cref="FromSnapshot"/>.</summary>
    public byte[] ToSnapshot()
    {
        var sourceNumber = new Dictionary<StanzaSource, int>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < _sources.Count; i++) sourceNumber[_sources[i]] = i;
        var strings = new List<string>();
        var stringNumber = new Dictionary<string, int>(StringComparer.Ordinal);
        int StringNumber(string s)
        {
            if (!stringNumber.TryGetValue(s, out var n))
            {
                stringNumber[s] = n = strings.Count;
                strings.Add(s);
            }
            return n;
        }

        var body = new MemoryStream();
        var w = new BinaryWriter(body, Encoding.UTF8);
        foreach (var p in _candidates)
        {
            var (source, start, end) = p.Stanza;
            w.Write7BitEncodedInt(sourceNumber[source]);
            w.Write7BitEncodedInt(start);
            w.Write7BitEncodedInt(end - start);
            w.Write7BitEncodedInt(p.Line);
            w.Write7BitEncodedInt(_cacheOrder.IdOf(p.Name));
            w.Write7BitEncodedInt(StringNumber(p.Architecture));
            w.Write7BitEncodedInt(p.PriorityText is { } priority ? StringNumber(priority) + 1 : 0);
            w.Write((byte)((int)p.MultiArch | (p.Essential ? 4 : 0) | (p.Important ? 8 : 0)));
            w.Write7BitEncodedInt64(p.Size);
            w.Write7BitEncodedInt(p.Provides.Count);
            foreach (var provided in p.Provides)
            {
                int id = _cacheOrder.IdOf(provided.Name);
                w.Write7BitEncodedInt(id + 1);
                if (id < 0) w.Write(provided.Name);
                w.Write(provided.Version?.Text ?? "");
            }
        }
        w.Flush();

        var result = new MemoryStream((int)body.Length + _cacheOrder.Names.Count * 16 + 1024);
        var h = new BinaryWriter(result, Encoding.UTF8);
        h.Write(Magic);
        h.Write7BitEncodedInt(FormatVersion);
        h.Write(NativeArchitecture);
        h.Write7BitEncodedInt(_sources.Count);
        foreach (var source in _sources)
        {
            h.Write7BitEncodedInt(source.Utf8.Length);
            h.Write7BitEncodedInt(source.PinPriority);
        }
        h.Write7BitEncodedInt(StanzaCount);
        h.Write7BitEncodedInt(strings.Count);
        foreach (var s in strings) h.Write(s);
        h.Write7BitEncodedInt(_cacheOrder.Names.Count);
        for (int id = 0; id < _cacheOrder.Names.Count; id++)
        {
            var name = _cacheOrder.Names.BytesOf(id);
            h.Write7BitEncodedInt(name.Length);
            h.Write(name);
        }
        h.Write7BitEncodedInt(_candidates.Count);
        h.Write(body.GetBuffer(), 0, (int)body.Length);
        h.Flush();
        var digest = SHA256.HashData(result.GetBuffer().AsSpan(0, (int)result.Length));
        result.Write(digest);
        return result.ToArray();
    }

    /// <summary>
    /// The universe a snapshot recorded, over <paramref name="indices"/> (which must be, byte for byte and in
    /// order, the indices it was built from); null when the snapshot is damaged or does not fit them.
    /// </summary>
    public static PackageUniverse? FromSnapshot(ReadOnlySpan<byte> snapshot, IReadOnlyList<PackagesIndex> indices,
        string nativeArchitecture)
    {
        if (snapshot.Length < SHA256.HashSizeInBytes) return null;
        var payload = snapshot[..^SHA256.HashSizeInBytes];
        if (!SHA256.HashData(payload).AsSpan().SequenceEqual(snapshot[^SHA256.HashSizeInBytes..])) return null;
        try
        {
            return Restore(new SnapshotReader(payload), indices, nativeArchitecture);
        }
        catch (Exception e) when (e is FormatException or ArgumentOutOfRangeException or IndexOutOfRangeException or
                                      InvalidDataException)
        {
            return null;
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static PackageUniverse? Restore(SnapshotReader r, IReadOnlyList<PackagesIndex> indices, string nativeArchitecture)
    {
        if (!r.Bytes(Magic.Length).SequenceEqual(Magic) || r.Int() != FormatVersion || r.String() != nativeArchitecture)
            return null;
        var sources = indices.Select(StanzaSource.Of).ToList();
        if (r.Int() != sources.Count) return null;
        foreach (var source in sources)
            if (r.Int() != source.Utf8.Length || r.Int() != source.PinPriority) return null;
        int stanzas = r.Int();
        // Every count is checked against the bytes left, so that no count can ask for more memory than the file is.
        var strings = new string[r.Count()];
        for (int i = 0; i < strings.Length; i++) strings[i] = r.String();

        int nameCount = r.Count();
        var order = new AptCacheOrder(nameCount);
        for (int id = 0; id < nameCount; id++)
            if (order.Mention(r.Bytes(r.Int())) != id) return null; // a name twice: not a table this wrote

        var candidates = new List<DebianPackage>(r.Count());
        var slotOf = new int[Math.Max(nameCount, 1)];
        var sharedVersions = new Dictionary<string, DebVersion>(StringComparer.Ordinal);
        for (int n = candidates.Capacity; n > 0; n--)
        {
            var source = sources[r.Int()];
            int start = r.Int(), end = start + r.Int(), line = r.Int(), nameId = r.Int();
            if (end > source.Utf8.Length || slotOf[nameId] != 0) return null;
            var architecture = strings[r.Int()];
            int priority = r.Int();
            int flags = r.Byte();
            long size = r.Long();
            var provides = new ProvidedName[r.Count()];
            for (int i = 0; i < provides.Length; i++)
            {
                int id = r.Int() - 1;
                var name = id >= 0 ? order.Names.NameOf(id) : r.String();
                var versionText = r.String();
                DebVersion? version = null;
                if (versionText.Length > 0 && !sharedVersions.TryGetValue(versionText, out version))
                    sharedVersions[versionText] = version = DebVersion.TryParse(versionText, out var v) ? v : throw new FormatException();
                provides[i] = new ProvidedName(name, version);
            }
            candidates.Add(DebianPackage.Restore(source, start, end, line, order.Names.NameOf(nameId), architecture,
                (MultiArch)(flags & 3), (flags & 4) != 0, (flags & 8) != 0, priority == 0 ? null : strings[priority - 1], size,
                provides.Length == 0 ? [] : provides));
            slotOf[nameId] = candidates.Count;
        }
        return r.AtEnd ? new PackageUniverse(nativeArchitecture, candidates, slotOf, stanzas, order, sources) : null;
    }

    /// <summary>Reads what <see cref="BinaryWriter"/> wrote, from a span; throws <see cref="FormatException"/> past the end.</summary>
    private ref struct SnapshotReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _pos;

        public readonly bool AtEnd => _pos == _data.Length;

        public ReadOnlySpan<byte> Bytes(int count)
        {
            if ((uint)count > (uint)(_data.Length - _pos)) throw new FormatException("snapshot ends early");
            var span = _data.Slice(_pos, count);
            _pos += count;
            return span;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public byte Byte() => _pos < _data.Length ? _data[_pos++] : throw new FormatException("snapshot ends early");

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public long Long()
        {
            // Most numbers fit in one byte; the loop is the general 7-bit little-endian form.
            if (_pos < _data.Length && _data[_pos] < 0x80) return _data[_pos++];
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                byte b = Byte();
                value |= (long)(b & 0x7f) << shift;
                if (b < 0x80) return value;
            }
            throw new FormatException("bad number in snapshot");
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public int Int() => Long() is >= 0 and <= int.MaxValue and var v ? (int)v : throw new FormatException("bad number in snapshot");

        public string String() => Encoding.UTF8.GetString(Bytes(Int()));

        /// <summary>A count of items that take at least a byte each.</summary>
        public int Count() => Int() is var n && n <= _data.Length - _pos ? n : throw new FormatException("bad count in snapshot");
    }
}
