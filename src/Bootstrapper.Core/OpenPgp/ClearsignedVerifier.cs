using Bootstrapper.Core.Errors;
using Org.BouncyCastle.Bcpg;

namespace Bootstrapper.Core.OpenPgp;

/// <summary>Verifies a clearsigned file (Debian's InRelease) and hands back only the text that was signed.</summary>
internal static class ClearsignedVerifier
{
    /// <param name="data">The whole file as downloaded.</param>
    /// <param name="keyring">Keys the file may be signed with.</param>
    /// <param name="now">The clock, for key expiry.</param>
    /// <param name="source">URL or path of the file, for messages.</param>
    /// <exception cref="VerificationException">Malformed, unsigned, BAD, or signed by no usable known key.</exception>
    public static VerifiedText Verify(byte[] data, OpenPgpKeyring keyring, DateTimeOffset now, string source)
    {
        var message = ClearsignedMessage.Parse(data, source);
        var signatures = SignaturePolicy.ReadSignatures(
            new ArmoredInputStream(new MemoryStream(message.ArmouredSignature)), source);
        var verified = SignaturePolicy.Check(signatures, message.SignedData, keyring, now, source);
        return new VerifiedText(message.Text, verified);
    }
}
