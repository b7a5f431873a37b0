using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Bootstrapper.Core;

/// <summary>
/// The one way the product writes JSON: a <see cref="Utf8JsonWriter"/> driven by hand. Key order, sorting and
/// formatting are part of every format written (a lock, an SBOM or an OCI manifest must give the same bytes for the
/// same input, and an OCI digest is the SHA-256 of those bytes), which a writer states line by line and a reflection
/// serializer or a node tree leaves to property order and defaults. Reading uses JsonNode (checked field by field,
/// with the file and the path in each message). The image manifest alone goes through JsonSerializer both ways, as
/// one typed record that is written and read back (`bootstrap diff`), so the two directions cannot drift.
/// </summary>
internal static class JsonOutput
{
    /// <summary>
    /// Files people read and diff (lock files, SBOMs, diff reports, bundle metadata): two-space indent, "\n" on
    /// every system, and only what JSON requires escaped (the default encoder writes '+', in most Debian versions,
    /// as \u002B; none of these files is embedded in HTML).
    /// </summary>
    public static readonly JsonWriterOptions Readable = new()
    {
        Indented = true,
        IndentSize = 2,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>No whitespace (OCI config, manifest and index, whose digests are the SHA-256 of the bytes).</summary>
    public static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The bytes <paramref name="body"/> writes.</summary>
    public static byte[] Bytes(JsonWriterOptions options, Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, options)) body(json);
        return buffer.ToArray();
    }

    /// <summary>A whole file: what <paramref name="body"/> writes with <paramref name="options"/> (default
    /// <see cref="Readable"/>), and a final newline.</summary>
    public static string Document(Action<Utf8JsonWriter> body, JsonWriterOptions? options = null) =>
        Encoding.UTF8.GetString(Bytes(options ?? Readable, body)) + "\n";
}
