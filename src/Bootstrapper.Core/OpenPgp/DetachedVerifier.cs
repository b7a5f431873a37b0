using Bootstrapper.Core.Errors;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Bootstrapper.Core.OpenPgp;

/// <summary>Verifies a detached signature (Debian's Release.gpg over Release), binary or ASCII-armoured.</summary>
internal static class DetachedVerifier
{
    /// <param name="data">The signed file's bytes exactly as downloaded.</param>
    /// <param name="signature">The detached signature file.</param>
    /// <param name="source">URL or path of the signature, for messages.</param>
    /// <exception cref="VerificationException">Undecodable, BAD, or signed by no usable known key.</exception>
    public static VerifiedSignatures Verify(byte[] data, byte[] signature, OpenPgpKeyring keyring, DateTimeOffset now, string source)
    {
        Stream decoded;
        try
        {
            // GetDecoderStream needs a seekable stream to sniff armour vs binary; a MemoryStream is.
            decoded = PgpUtilities.GetDecoderStream(new MemoryStream(signature, writable: false));
        }
        catch (IOException e)
        {
            throw new VerificationException($"{source}: not an OpenPGP signature ({e.Message}); the mirror serves a broken file", e);
        }
        var signatures = SignaturePolicy.ReadSignatures(decoded, source);
        return SignaturePolicy.Check(signatures, data, keyring, now, source);
    }
}
