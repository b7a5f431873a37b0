using Bootstrapper.Core.Errors;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Bootstrapper.Core.OpenPgp;

/// <summary>
/// apt's acceptance rule for a signed repository file, applied to every signature found:
/// signatures by keys outside the keyring are ignored; one BAD signature by a known key rejects the file (it was
/// altered, or the mirror is broken); otherwise at least one GOOD signature is needed from a known, unexpired,
/// unrevoked signing key using SHA-256 or a stronger hash.
/// </summary>
internal static class SignaturePolicy
{
    private static readonly HashSet<HashAlgorithmTag> StrongHashes =
    [
        HashAlgorithmTag.Sha256, HashAlgorithmTag.Sha384, HashAlgorithmTag.Sha512,
        HashAlgorithmTag.Sha3_256, HashAlgorithmTag.Sha3_512,
    ];

    /// <param name="signatures">Every signature packet of the file.</param>
    /// <param name="signedData">Exactly the bytes the signatures cover.</param>
    /// <param name="source">URL or path of the signed file, for messages.</param>
    public static VerifiedSignatures Check(
        IReadOnlyList<PgpSignature> signatures, byte[] signedData, OpenPgpKeyring keyring, DateTimeOffset now, string source)
    {
        BouncyCastleSettings.Apply();
        if (signatures.Count == 0)
            throw new VerificationException($"{source}: holds no OpenPGP signature; the mirror serves a broken file, try another mirror");

        var good = new List<GoodSignature>();
        var unknown = new List<string>();
        var unusable = new List<string>();
        foreach (var sig in signatures)
        {
            var issuer = IssuerFingerprint(sig);
            var candidates = keyring.Find(sig.KeyId)
                .Where(c => issuer == null || OpenPgpKeyring.Hex(c.Key.GetFingerprint()) == issuer)
                .ToList();
            if (candidates.Count == 0)
            {
                unknown.Add(issuer ?? sig.KeyId.ToString("X16"));
                continue;
            }

            var fingerprint = OpenPgpKeyring.Hex(candidates[0].Key.GetFingerprint());
            if (sig.SignatureType is not (PgpSignature.BinaryDocument or PgpSignature.CanonicalTextDocument))
            {
                unusable.Add($"the signature by key {fingerprint} is not a document signature (type 0x{sig.SignatureType:X2})");
                continue;
            }

            // A 64-bit key ID can collide; the signature is good if any candidate key verifies it.
            string? cannotCheck = null;
            var (key, ring) = candidates.FirstOrDefault(c => VerifiesWith(sig, c.Key, signedData, ref cannotCheck));
            if (key == null && cannotCheck != null)
            {
                // Not BAD: the mathematics could not run (an algorithm BouncyCastle lacks), so it proves nothing either way.
                unusable.Add($"the signature by key {fingerprint} cannot be checked ({cannotCheck})");
                continue;
            }
            if (key == null)
            {
                throw new VerificationException(
                    $"{source}: BAD signature by key {fingerprint} ({OpenPgpKeyring.UserId(candidates[0].Ring) ?? "no user ID"}): " +
                    "the file was altered after signing or corrupted in transit. Do not use it; try again later " +
                    "(the mirror may be mid-update) or use another mirror");
            }

            fingerprint = OpenPgpKeyring.Hex(key.GetFingerprint());
            var primary = ring!.GetPublicKey();
            if (!StrongHashes.Contains(sig.HashAlgorithm))
            {
                unusable.Add($"the signature by key {fingerprint} uses the weak hash {sig.HashAlgorithm} (SHA-256 or stronger is required)");
                continue;
            }
            if (KeyValidity.WhyUnusable(key, primary, now) is { } why)
            {
                unusable.Add($"key {fingerprint} {why}");
                continue;
            }
            var hashed = sig.GetHashedSubPackets();
            if (hashed != null && hashed.GetSignatureExpirationTime() is > 0 and var sigSeconds
                && new DateTimeOffset(DateTime.SpecifyKind(sig.CreationTime, DateTimeKind.Utc)).AddSeconds(sigSeconds) <= now)
            {
                unusable.Add($"the signature by key {fingerprint} expired");
                continue;
            }
            good.Add(new GoodSignature(fingerprint, OpenPgpKeyring.Hex(primary.GetFingerprint()),
                OpenPgpKeyring.UserId(ring), HashName(sig.HashAlgorithm),
                new DateTimeOffset(DateTime.SpecifyKind(sig.CreationTime, DateTimeKind.Utc))));
        }

        if (good.Count > 0) return new VerifiedSignatures(good);
        if (unusable.Count > 0)
            throw new VerificationException(
                $"{source}: no signature can be trusted: {string.Join("; ", unusable)}. Update the keyring (for Debian: " +
                "a newer debian-archive-keyring) in the recipe's keyrings or --keyring");
        throw new VerificationException(
            $"{source}: signed only by unknown key{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown)}; " +
            "add the right keyring to the recipe's keyrings or --keyring");
    }

    /// <summary>All signatures in an (already de-armoured) OpenPGP stream.</summary>
    public static List<PgpSignature> ReadSignatures(Stream input, string source)
    {
        var result = new List<PgpSignature>();
        try
        {
            var factory = new PgpObjectFactory(input);
            for (var obj = factory.NextPgpObject(); obj != null; obj = factory.NextPgpObject())
            {
                if (obj is PgpSignatureList list)
                    for (int i = 0; i < list.Count; i++) result.Add(list[i]);
                else if (obj is not PgpMarker)
                    throw new VerificationException(
                        $"{source}: the signature part holds {obj.GetType().Name}, not signatures; the mirror serves a broken file");
            }
        }
        catch (Exception e) when (e is IOException or PgpException)
        {
            throw new VerificationException($"{source}: the signature cannot be decoded ({e.Message}); the mirror serves a broken file", e);
        }
        return result;
    }

    private static bool VerifiesWith(PgpSignature sig, PgpPublicKey key, byte[] data, ref string? cannotCheck)
    {
        try
        {
            sig.InitVerify(key);
            sig.Update(data);
            return sig.Verify();
        }
        catch (PgpException e)
        {
            cannotCheck = e.Message;
            return false;
        }
    }

    /// <summary>The issuer fingerprint subpacket (RFC 9580 5.2.3.35), which newer signers add beside the key ID.</summary>
    private static string? IssuerFingerprint(PgpSignature sig)
    {
        var fp = sig.GetHashedSubPackets()?.GetIssuerFingerprint() ?? sig.GetUnhashedSubPackets()?.GetIssuerFingerprint();
        return fp == null ? null : OpenPgpKeyring.Hex(fp.GetFingerprint());
    }

    private static string HashName(HashAlgorithmTag tag) => tag.ToString().ToUpperInvariant().Replace("_", "-");
}
