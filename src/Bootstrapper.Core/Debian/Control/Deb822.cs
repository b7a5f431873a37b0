namespace Bootstrapper.Core.Debian.Control;

/// <summary>
/// Parser for the deb822 control-file syntax (deb822(5)): paragraphs separated by blank lines, "Field: value"
/// lines, continuation lines starting with a space or tab, '#' comment lines (only outside paragraphs in
/// Packages files, but tolerated everywhere as apt does).
/// </summary>
/// <remarks>
/// Built for bookworm's main Packages (~63k paragraphs, ~45 MB): it scans spans and only allocates strings for
/// the fields the caller keeps, so the large Description fields cost nothing when they are not wanted.
/// </remarks>
internal static class Deb822
{
    /// <param name="text">The whole document.</param>
    /// <param name="keep">Which fields to keep (null: all). Called with the field name as it appears.</param>
    /// <param name="sourceName">File name for error messages.</param>
    public static List<Deb822Paragraph> Parse(string text, Func<string, bool>? keep = null, string sourceName = "<input>")
    {
        var result = new List<Deb822Paragraph>();
        Dictionary<string, string>? current = null;
        int currentLine = 0;
        string? lastName = null;          // field being continued, null when it is not kept
        System.Text.StringBuilder? continued = null;
        bool lastKept = false;

        void FlushContinuation()
        {
            if (continued != null && lastName != null)
                current![lastName] = continued.ToString();
            continued = null;
        }

        void EndParagraph()
        {
            FlushContinuation();
            if (current != null && current.Count > 0)
                result.Add(new Deb822Paragraph(current, currentLine));
            current = null;
            lastName = null;
            lastKept = false;
        }

        var span = text.AsSpan();
        int pos = 0, lineNo = 0;
        while (pos <= span.Length)
        {
            if (pos == span.Length) break;
            int nl = span[pos..].IndexOf('\n');
            var line = nl < 0 ? span[pos..] : span.Slice(pos, nl);
            pos = nl < 0 ? span.Length : pos + nl + 1;
            lineNo++;
            if (line.Length > 0 && line[^1] == '\r') line = line[..^1];

            if (line.IsWhiteSpace())
            {
                EndParagraph();
                continue;
            }
            if (line[0] == '#') continue;
            if (line[0] is ' ' or '\t')
            {
                if (current == null)
                    throw new FormatException($"{sourceName}:{lineNo}: continuation line outside a field");
                if (!lastKept) continue;
                var rest = line[1..];
                continued ??= new System.Text.StringBuilder(current[lastName!]);
                continued.Append('\n');
                continued.Append(rest.TrimEnd());
                continue;
            }

            int colon = line.IndexOf(':');
            if (colon <= 0)
                throw new FormatException($"{sourceName}:{lineNo}: expected 'Field: value', got '{line}'");
            FlushContinuation();
            if (current == null)
            {
                current = new Dictionary<string, string>(24, StringComparer.OrdinalIgnoreCase);
                currentLine = lineNo;
            }
            var nameSpan = line[..colon].TrimEnd();
            var name = nameSpan.ToString();
            lastKept = keep == null || keep(name);
            if (!lastKept)
            {
                lastName = null;
                continue;
            }
            lastName = name;
            current[name] = line[(colon + 1)..].Trim().ToString();
        }
        EndParagraph();
        return result;
    }
}
