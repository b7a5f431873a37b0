using System.Runtime.CompilerServices;
using System.Text;
using Bootstrapper.Core.Debian.Resolution;

namespace Bootstrapper.Core.Debian.Control;

/// <summary>
/// Reads a run of stanzas of a Packages index into <see cref="DebianPackage"/>s, straight from the UTF-8 bytes
/// of the file, and records every name each stanza mentions in apt's cache order.
/// </summary>
/// <remarks>
/// Why this shape: bookworm main is ~63k stanzas in ~50 MB, the universe is rebuilt on every plan, and a
/// resolution looks at a few hundred packages. Only field offsets are found per stanza; a handful of short
/// fields become values, names are interned as bytes (<see cref="PackageNameTable"/>), and nothing else becomes
/// a string until the resolver asks for it. A UTF-16 string of the index alone would be ~100 MB.
/// </remarks>
internal static class PackagesIndexReader
{
    /// <summary>What one run of stanzas gave: its packages in order, with their name ids in its own cache order.</summary>
    internal sealed class Chunk(AptCacheOrder order)
    {
        public AptCacheOrder Order { get; } = order;
        public List<(DebianPackage Package, int NameId)> Packages { get; } = [];
        /// <summary>Stanzas that name an architecture (any architecture).</summary>
        public int Stanzas { get; set; }
    }

    /// <summary>
    /// Reads the stanzas of text[<paramref name="from"/>..<paramref name="to"/>] (which must start at a line
    /// boundary outside a stanza) with a cache order of its own, keeping packages of the native architecture or
    /// "all".
    /// </summary>
    /// <param name="linesBefore">How many lines text has before <paramref name="from"/> (for line numbers).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // one long loop per run: straight to optimised code
    public static Chunk Read(StanzaSource source, int from, int to, int linesBefore, string nativeArchitecture, int expectedNames)
    {
        var chunk = new Chunk(new AptCacheOrder(expectedNames));
        var order = chunk.Order;
        var packages = chunk.Packages;
        var text = source.Utf8.Span[..to];
        var native = Encoding.UTF8.GetBytes(nativeArchitecture);
        var strings = new Utf8Strings();
        var scratch = new byte[256];
        Span<FieldSpan> fields = stackalloc FieldSpan[PackageFields.Count];
        int pos = from, lineNo = linesBefore, stanzas = 0;
        while (true)
        {
            fields.Clear();
            if (!PackageStanzaScanner.Next(text, ref pos, ref lineNo, fields, out int start, out int end, out int line, source.IndexName))
                break;
            var archField = fields[(int)PackageField.Architecture];
            if (archField.Present)
            {
                stanzas++;
                var arch = PackageStanzaScanner.Bytes(text, archField, ref scratch);
                if (!arch.SequenceEqual(native) && !arch.SequenceEqual("all"u8)) continue;
            }
            int id = -1;
            string? name = null;
            if (fields[(int)PackageField.Package].Present)
            {
                id = order.Mention(PackageStanzaScanner.Bytes(text, fields[(int)PackageField.Package], ref scratch));
                name = order.Names.NameOf(id);
                foreach (var field in PackageFields.MentionOrder)
                    if (fields[(int)field].Present)
                        order.MentionRelations(PackageStanzaScanner.Bytes(text, fields[(int)field], ref scratch), native);
            }
            packages.Add((DebianPackage.Read(source, text, fields, start, end, line, name, strings, order.Names, ref scratch), id));
        }
        chunk.Stanzas = stanzas;
        return chunk;
    }

    /// <summary>
    /// Cuts an index into about <paramref name="parts"/> runs of whole stanzas, at blank lines ("\n\n"), so that
    /// the runs can be read at the same time; each run is (from, to, lines before from).
    /// </summary>
    public static List<(int From, int To, int LinesBefore)> Split(ReadOnlySpan<byte> text, int parts)
    {
        var runs = new List<(int, int, int)>();
        int from = 0, lines = 0;
        for (int i = 1; i < parts; i++)
        {
            int target = (int)((long)text.Length * i / parts);
            if (target <= from) continue;
            int gap = text[target..].IndexOf("\n\n"u8);
            if (gap < 0) break;
            int cut = target + gap + 1; // after the first '\n': the next run starts with the blank line
            runs.Add((from, cut, lines));
            lines += text[from..cut].Count((byte)'\n');
            from = cut;
        }
        runs.Add((from, text.Length, lines));
        return runs;
    }
}
