using System.Text;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Core.OpenPgp;

/// <summary>
/// The parts of an OpenPGP cleartext-signed message (RFC 4880 section 7, RFC 9580 section 7): the text as it was
/// signed, and the armoured signature block. Nothing outside the BEGIN/END markers is accepted: apt learnt the hard
/// way (CVE-2013-1051 style attacks) that text before or after the signed part must never reach a parser.
/// </summary>
internal sealed class ClearsignedMessage
{
    private static readonly byte[] BeginMessage = "-----BEGIN PGP SIGNED MESSAGE-----"u8.ToArray();
    private static readonly byte[] BeginSignature = "-----BEGIN PGP SIGNATURE-----"u8.ToArray();
    private static readonly byte[] EndSignature = "-----END PGP SIGNATURE-----"u8.ToArray();

    private ClearsignedMessage(byte[] signedData, string text, byte[] armouredSignature, IReadOnlyList<string> hashHeaders)
    {
        SignedData = signedData;
        Text = text;
        ArmouredSignature = armouredSignature;
        HashHeaders = hashHeaders;
    }

    /// <summary>
    /// The bytes the signature covers: dash-escaping undone, trailing spaces and tabs removed from every line, lines
    /// joined with CRLF, no line ending after the last line.
    /// </summary>
    public byte[] SignedData { get; }

    /// <summary>The same lines joined with LF and ending with LF: what callers parse.</summary>
    public string Text { get; }

    /// <summary>"-----BEGIN PGP SIGNATURE-----" through "-----END PGP SIGNATURE-----".</summary>
    public byte[] ArmouredSignature { get; }

    /// <summary>Values of the "Hash:" armour headers ("SHA256", "SHA512"...).</summary>
    public IReadOnlyList<string> HashHeaders { get; }

    /// <exception cref="VerificationException">Not a well-formed clearsigned message.</exception>
    public static ClearsignedMessage Parse(byte[] data, string source)
    {
        var lines = SplitLines(data);
        int i = 0;
        while (i < lines.Count && IsBlank(lines[i])) i++;
        if (i == lines.Count || !TrimTrailing(lines[i]).SequenceEqual(BeginMessage))
            throw Malformed(source, i == lines.Count
                ? "it is empty"
                : $"line {i + 1} should be '-----BEGIN PGP SIGNED MESSAGE-----' (is the file signed at all, or cut by a proxy?)");
        i++;

        // Armour headers up to the first empty line. Only "Hash:" is defined for cleartext signatures; anything
        // else is refused as GnuPG does, because a header could otherwise smuggle text the user believes is signed.
        var hashes = new List<string>();
        for (; ; i++)
        {
            if (i == lines.Count) throw Malformed(source, "the armour headers never end (no empty line)");
            var line = TrimTrailing(lines[i]);
            if (line.Length == 0) { i++; break; }
            var header = Encoding.ASCII.GetString(line);
            if (!header.StartsWith("Hash: ", StringComparison.Ordinal))
                throw Malformed(source, $"line {i + 1} has armour header '{Shorten(header)}'; only 'Hash:' is allowed");
            hashes.AddRange(header[6..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        }

        var signed = new MemoryStream();
        var text = new MemoryStream();
        bool first = true;
        for (; ; i++)
        {
            if (i == lines.Count) throw Malformed(source, "it has no '-----BEGIN PGP SIGNATURE-----' line");
            var line = TrimTrailing(lines[i]);
            if (line.Length > 0 && line[0] == '-')
            {
                if (line.SequenceEqual(BeginSignature)) break;
                // Every line of the text that starts with '-' is dash-escaped ("- "); anything else is a marker.
                if (line.Length < 2 || line[1] != ' ')
                    throw Malformed(source, $"line {i + 1} starts with '-' but is neither dash-escaped nor '-----BEGIN PGP SIGNATURE-----'");
                line = TrimTrailing(line[2..]);
            }
            if (!first) signed.Write("\r\n"u8);
            first = false;
            signed.Write(line);
            text.Write(line);
            text.WriteByte((byte)'\n');
        }

        int sigStart = i;
        for (i++; ; i++)
        {
            if (i == lines.Count) throw Malformed(source, "the signature block has no '-----END PGP SIGNATURE-----' line");
            if (TrimTrailing(lines[i]).SequenceEqual(EndSignature)) break;
        }
        int sigEnd = i;
        for (i++; i < lines.Count; i++)
            if (!IsBlank(lines[i]))
                throw Malformed(source, $"line {i + 1} follows the signature; nothing may come after '-----END PGP SIGNATURE-----'");

        var armour = new MemoryStream();
        for (int k = sigStart; k <= sigEnd; k++)
        {
            armour.Write(TrimTrailing(lines[k]));
            armour.WriteByte((byte)'\n');
        }
        string decoded;
        try
        {
            decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(text.ToArray());
        }
        catch (DecoderFallbackException)
        {
            throw Malformed(source, "the signed text is not valid UTF-8");
        }
        return new ClearsignedMessage(signed.ToArray(), decoded, armour.ToArray(), hashes);
    }

    internal static VerificationException Malformed(string source, string why) =>
        new($"{source}: not a valid clearsigned OpenPGP file: {why}. The mirror or a proxy serves a broken file; " +
            "try again later or use another mirror");

    private static List<byte[]> SplitLines(byte[] data)
    {
        var lines = new List<byte[]>();
        int start = 0;
        for (int k = 0; k <= data.Length; k++)
        {
            if (k < data.Length && data[k] != '\n') continue;
            if (k == data.Length && start == data.Length) break;
            int end = k;
            if (end > start && data[end - 1] == '\r') end--;
            lines.Add(data[start..end]);
            start = k + 1;
        }
        return lines;
    }

    /// <summary>RFC 4880 7.1: trailing whitespace (spaces and tabs) is not part of the signed text.</summary>
    private static byte[] TrimTrailing(byte[] line)
    {
        int end = line.Length;
        while (end > 0 && line[end - 1] is (byte)' ' or (byte)'\t' or (byte)'\r') end--;
        return end == line.Length ? line : line[..end];
    }

    private static bool IsBlank(byte[] line) => TrimTrailing(line).Length == 0;

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "...";
}
