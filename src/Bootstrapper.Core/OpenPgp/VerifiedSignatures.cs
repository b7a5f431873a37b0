namespace Bootstrapper.Core.OpenPgp;

/// <summary>One signature that verified and passed the policy.</summary>
/// <param name="KeyFingerprint">Upper-case hex fingerprint of the (sub)key that made the signature.</param>
/// <param name="PrimaryKeyFingerprint">Fingerprint of that key's primary key (equal when the primary signed).</param>
/// <param name="UserId">First user ID of the primary key, if any.</param>
/// <param name="HashAlgorithm">"SHA256", "SHA512"...</param>
internal sealed record GoodSignature(
    string KeyFingerprint, string PrimaryKeyFingerprint, string? UserId, string HashAlgorithm, DateTimeOffset Created);

/// <summary>Outcome of a successful verification: which keys vouched for the data.</summary>
internal sealed record VerifiedSignatures(IReadOnlyList<GoodSignature> Good)
{
    /// <summary>Fingerprints of the (sub)keys whose signatures verified, in signature order.</summary>
    public IReadOnlyList<string> Fingerprints => Good.Select(g => g.KeyFingerprint).ToList();
}

/// <summary>A clearsigned file's text, returned only after its signature verified.</summary>
/// <param name="Text">The signed text (dash-escaping undone, LF line endings). Parse this and nothing else.</param>
internal sealed record VerifiedText(string Text, VerifiedSignatures Signatures)
{
    public IReadOnlyList<string> Fingerprints => Signatures.Fingerprints;
}
