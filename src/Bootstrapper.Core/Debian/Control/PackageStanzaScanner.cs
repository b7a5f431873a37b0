using System.Text;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Core.Debian.Control;

/// <summary>Where one field's value lies in the bytes of an index (both offsets absolute).</summary>
/// <remarks><see cref="Start"/> is just after the colon, so 0 means the field is absent.</remarks>
internal struct FieldSpan
{
    public int Start;
    /// <summary>End of the field's last line (continuation lines included), without its line break.</summary>
    public int End;
    /// <summary>The value has continuation lines.</summary>
    public bool Folded;

    public readonly bool Present => Start > 0;
}

/// <summary>
/// Finds the stanzas of a Packages index and the fields <see cref="PackageField"/> names in each, on the UTF-8
/// bytes of the file, with the syntax of <see cref="Deb822.Parse"/>: stanzas end at blank lines, field names
/// compare case-insensitively, a continuation line starts with a space or tab, lines starting with '#' are
/// comments (never part of a value), and a field given twice keeps its last value.
/// </summary>
/// <remarks>
/// Only offsets are recorded: the reader turns the few fields every package needs into values, and a package
/// reads the rest from its stanza when the resolver first asks for them (<see cref="DebianPackage"/>).
/// </remarks>
internal static class PackageStanzaScanner
{
    /// <summary>Space, tab and the other ASCII blanks deb822 tolerates around values.</summary>
    public static ReadOnlySpan<byte> Blank => " \t\r\v\f"u8;

    /// <summary>Field names by length, so that a name is compared with at most a few candidates.</summary>
    private static readonly (byte[] Name, PackageField Field)[][] ByLength = BuildByLength();

    /// <summary>
    /// Scans from <paramref name="pos"/> to the end of the next stanza, filling <paramref name="fields"/> (which
    /// the caller clears). False when only blank and comment lines were left.
    /// </summary>
    /// <param name="end">Where the stanza's last line ends (a later <see cref="Next"/> on text[..end] from
    /// <paramref name="start"/> finds the same fields).</param>
    /// <param name="sourceName">Names the index in errors.</param>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static bool Next(ReadOnlySpan<byte> text, ref int pos, ref int lineNo, Span<FieldSpan> fields,
        out int start, out int end, out int line, string sourceName)
    {
        start = -1;
        end = -1;
        line = 0;
        int last = -1;
        while (pos < text.Length)
        {
            int lineStart = pos;
            int nl = text[pos..].IndexOf((byte)'\n');
            int lineEnd = nl < 0 ? text.Length : pos + nl;
            pos = nl < 0 ? text.Length : lineEnd + 1;
            lineNo++;
            var content = text[lineStart..lineEnd];
            if (content.Length > 0 && content[^1] == (byte)'\r') content = content[..^1];

            byte first = content.IsEmpty ? (byte)'\n' : content[0];
            if (first == (byte)'\n' || (IsBlank(first) && content.TrimStart(Blank).IsEmpty))
            {
                if (start >= 0) return true;
                continue;
            }
            if (first == (byte)'#') continue;
            if (first is (byte)' ' or (byte)'\t')
            {
                if (start < 0) throw Malformed(sourceName, lineNo, "continuation line outside a field");
                if (last >= 0)
                {
                    fields[last].End = lineStart + content.Length;
                    fields[last].Folded = true;
                }
                end = lineStart + content.Length;
                continue;
            }

            int colon = content.IndexOf((byte)':');
            if (colon <= 0)
                throw Malformed(sourceName, lineNo, $"expected 'Field: value', got '{Encoding.UTF8.GetString(content)}'");
            if (start < 0)
            {
                start = lineStart;
                line = lineNo;
            }
            end = lineStart + content.Length;
            last = (int)Classify(content[..colon].TrimEnd(Blank));
            if (last >= 0) fields[last] = new FieldSpan { Start = lineStart + colon + 1, End = end };
        }
        return start >= 0;
    }

    /// <summary>The known field of that name, or -1.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static PackageField Classify(ReadOnlySpan<byte> name)
    {
        if (name.Length >= ByLength.Length) return (PackageField)(-1);
        foreach (var (candidate, field) in ByLength[name.Length])
            if (System.Text.Ascii.EqualsIgnoreCase(name, candidate)) return field;
        return (PackageField)(-1);
    }

    /// <summary>The value of a single-line field without the blanks around it.</summary>
    public static ReadOnlySpan<byte> Line(ReadOnlySpan<byte> text, FieldSpan field) =>
        field.Present ? text[field.Start..field.End].Trim(Blank) : default;

    /// <summary>
    /// The value as <see cref="Deb822.Parse"/> gives it: the first line without surrounding blanks, then each
    /// continuation line without its first character and trailing blanks, joined with '\n'; null when absent.
    /// </summary>
    public static string? Text(ReadOnlySpan<byte> text, FieldSpan field)
    {
        if (!field.Present) return null;
        if (!field.Folded) return Encoding.UTF8.GetString(Line(text, field));
        var builder = new StringBuilder();
        foreach (var piece in new FoldedLines(text[field.Start..field.End]))
        {
            if (piece.Continuation) builder.Append('\n');
            builder.Append(Encoding.UTF8.GetString(piece.Value));
        }
        return builder.ToString();
    }

    /// <summary>Same as <see cref="Text"/>, as UTF-8 bytes; a folded value is joined into <paramref name="scratch"/>.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static ReadOnlySpan<byte> Bytes(ReadOnlySpan<byte> text, FieldSpan field, ref byte[] scratch)
    {
        if (!field.Folded) return Line(text, field);
        int length = 0;
        foreach (var piece in new FoldedLines(text[field.Start..field.End]))
        {
            int need = length + piece.Value.Length + 1;
            if (need > scratch.Length) Array.Resize(ref scratch, Math.Max(need, scratch.Length * 2));
            if (piece.Continuation) scratch[length++] = (byte)'\n';
            piece.Value.CopyTo(scratch.AsSpan(length));
            length += piece.Value.Length;
        }
        return scratch.AsSpan(0, length);
    }

    private static bool IsBlank(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\v' or (byte)'\f';

    private static ResolutionException Malformed(string sourceName, int line, string what) =>
        new($"Packages index {sourceName} is malformed: {sourceName}:{line}: {what}");

    private static (byte[], PackageField)[][] BuildByLength()
    {
        var names = Enum.GetValues<PackageField>().Select(f => (Encoding.ASCII.GetBytes(PackageFields.Name(f)), f)).ToList();
        var result = new (byte[], PackageField)[names.Max(n => n.Item1.Length) + 1][];
        for (int i = 0; i < result.Length; i++) result[i] = names.Where(n => n.Item1.Length == i).ToArray();
        return result;
    }

    /// <summary>The lines of a folded value (comment lines left out), trimmed as <see cref="Text"/> says.</summary>
    private ref struct FoldedLines(ReadOnlySpan<byte> value)
    {
        private ReadOnlySpan<byte> _rest = value;
        private bool _started;

        public Piece Current { get; private set; }

        public readonly FoldedLines GetEnumerator() => this;

        public bool MoveNext()
        {
            while (!_rest.IsEmpty || !_started)
            {
                int nl = _rest.IndexOf((byte)'\n');
                var line = nl < 0 ? _rest : _rest[..nl];
                _rest = nl < 0 ? default : _rest[(nl + 1)..];
                if (!_started)
                {
                    _started = true;
                    Current = new Piece(line.Trim(Blank), false);
                    return true;
                }
                if (line.IsEmpty || line[0] == (byte)'#') continue;
                Current = new Piece(line[1..].TrimEnd(Blank), true);
                return true;
            }
            return false;
        }
    }

    /// <summary>One line of a folded value; every line but the first is a continuation.</summary>
    private readonly ref struct Piece(ReadOnlySpan<byte> value, bool continuation)
    {
        public ReadOnlySpan<byte> Value { get; } = value;
        public bool Continuation { get; } = continuation;
    }
}
