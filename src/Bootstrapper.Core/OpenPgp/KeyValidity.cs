using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Bootstrapper.Core.OpenPgp;

/// <summary>
/// Whether a key from the keyring may vouch for data now. BouncyCastle's Verify() checks only the mathematics;
/// expiry, revocation and the "may sign" flag live in the key's self-signatures (RFC 4880 5.2.3.6, 5.2.3.21,
/// 5.2.3.23). The keyring itself is trusted input, so self-signatures are read, not re-verified.
/// </summary>
internal static class KeyValidity
{
    private const int KeyFlagSignData = 0x02;

    private static readonly int[] CertificationTypes =
    [
        PgpSignature.DefaultCertification, PgpSignature.NoCertification, PgpSignature.CasualCertification,
        PgpSignature.PositiveCertification, PgpSignature.DirectKey,
    ];

    /// <returns>null when usable; otherwise why not, phrased to follow "key X ".</returns>
    public static string? WhyUnusable(PgpPublicKey key, PgpPublicKey primary, DateTimeOffset now)
    {
        if (primary.GetSignaturesOfType(PgpSignature.KeyRevocation).Any())
            return "is revoked";
        var primarySelf = Latest(CertificationTypes.SelectMany(t => primary.GetSignaturesOfType(t))
            .Where(s => s.KeyId == primary.KeyId));
        if (Expiry(primary, primarySelf) is { } primaryExpiry && primaryExpiry <= now)
            return $"expired on {primaryExpiry:yyyy-MM-dd}";

        var binding = primarySelf;
        if (!key.IsMasterKey)
        {
            if (key.GetSignaturesOfType(PgpSignature.SubkeyRevocation).Any())
                return "(a subkey) is revoked";
            binding = Latest(key.GetSignaturesOfType(PgpSignature.SubkeyBinding));
            if (binding == null)
                return "(a subkey) has no binding signature in the keyring";
            if (Expiry(key, binding) is { } subExpiry && subExpiry <= now)
                return $"(a subkey) expired on {subExpiry:yyyy-MM-dd}";
        }

        // Key flags are optional; when present they must allow signing data.
        var hashed = binding?.GetHashedSubPackets();
        if (hashed != null && hashed.HasSubpacket(SignatureSubpacketTag.KeyFlags) && (hashed.GetKeyFlags() & KeyFlagSignData) == 0)
            return "is not allowed to sign data (its key flags say so)";
        return null;
    }

    private static PgpSignature? Latest(IEnumerable<PgpSignature> signatures) =>
        signatures.OrderByDescending(s => s.CreationTime).FirstOrDefault();

    /// <summary>Key expiration time is seconds after the key's creation; 0 or absent means it never expires.</summary>
    private static DateTimeOffset? Expiry(PgpPublicKey key, PgpSignature? selfSignature)
    {
        var hashed = selfSignature?.GetHashedSubPackets();
        if (hashed == null || !hashed.HasSubpacket(SignatureSubpacketTag.KeyExpireTime)) return null;
        long seconds = hashed.GetKeyExpirationTime();
        if (seconds <= 0) return null;
        return new DateTimeOffset(DateTime.SpecifyKind(key.CreationTime, DateTimeKind.Utc)).AddSeconds(seconds);
    }
}
