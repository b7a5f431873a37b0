using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Core.Oci;

/// <summary>"sha256:HEX" digests: the only algorithm we write, and the only one we accept in a layout or a registry.</summary>
internal static partial class OciDigest
{
    public static string Of(ReadOnlySpan<byte> data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    public static string FromHex(string hex) => "sha256:" + hex;

    /// <summary>The hex part, after checking the form (a digest names a file in a layout: it must not be a path).</summary>
    public static string Hex(string digest, string where)
    {
        if (!Sha256Form().IsMatch(digest))
            throw new VerificationException($"{where}: '{digest}' is not a sha256 digest (sha256: and 64 lowercase hex digits)");
        return digest["sha256:".Length..];
    }

    [GeneratedRegex("^sha256:[0-9a-f]{64}$")]
    private static partial Regex Sha256Form();
}
