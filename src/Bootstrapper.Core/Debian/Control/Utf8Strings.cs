using System.Text;

namespace Bootstrapper.Core.Debian.Control;

/// <summary>
/// One string per distinct value of the fields with few values (Architecture, Priority, Multi-Arch): 66k
/// stanzas share a handful of strings instead of allocating one each.
/// </summary>
internal sealed class Utf8Strings
{
    private const int Limit = 32;
    private readonly List<(byte[] Bytes, string Text)> _known = new(Limit);

    /// <summary>The string of <paramref name="utf8"/>, shared with earlier equal values.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public string Get(ReadOnlySpan<byte> utf8)
    {
        foreach (var (bytes, text) in _known)
            if (utf8.SequenceEqual(bytes)) return text;
        var s = Encoding.UTF8.GetString(utf8);
        // A field with many distinct values is simply not shared beyond the first few.
        if (_known.Count < Limit) _known.Add((utf8.ToArray(), s));
        return s;
    }
}
