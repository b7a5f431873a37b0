using Bootstrapper.Core.Alpine.Package;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Core.Alpine.Index;

/// <summary>
/// The signature section shared by APKINDEX.tar.gz and .apk files: tar entries named
/// <c>.SIGN.&lt;RSA|RSA256|RSA512&gt;.&lt;keyname&gt;</c> whose content is a PKCS#1 v1.5 signature over the compressed
/// bytes of the next gzip member (apk-tools extract_v2.c apk_sign_ctx_process_file).
/// </summary>
internal static class ApkSignature
{
    private static readonly (string Prefix, ApkSignatureAlgorithm Alg)[] Types =
    [
        ("RSA512.", ApkSignatureAlgorithm.RsaSha512),
        ("RSA256.", ApkSignatureAlgorithm.RsaSha256),
        ("RSA.", ApkSignatureAlgorithm.RsaSha1),
    ];

    /// <summary>
    /// Checks the signature member against the keyring, as apk does: the first signature by a key we have is
    /// the one that counts; signatures by unknown keys are skipped. Returns the key name that verified.
    /// </summary>
    public static string Verify(IReadOnlyList<ApkTarEntry> signatureEntries, ReadOnlySpan<byte> signedMember,
        ApkKeyring keyring, string source)
    {
        var seen = new List<string>();
        foreach (var e in signatureEntries)
        {
            if (!e.Name.StartsWith(".SIGN.", StringComparison.Ordinal))
                throw new VerificationException($"{source}: unexpected entry '{e.Name}' in the signature section.");
            var rest = e.Name[6..];
            var type = Types.FirstOrDefault(t => rest.StartsWith(t.Prefix, StringComparison.Ordinal));
            if (type.Prefix is null) continue; // DSA or unknown scheme: apk ignores it too
            var keyName = rest[type.Prefix.Length..];
            seen.Add(keyName);
            if (!keyring.Contains(keyName)) continue;
            if (!keyring.Verify(keyName, type.Alg, signedMember, e.Data.ToArray()))
                throw new VerificationException(
                    $"{source}: BAD signature by key '{keyName}' ({type.Prefix.TrimEnd('.')}). The file was modified " +
                    "or corrupted; do not use it.");
            return keyName;
        }
        if (seen.Count == 0)
            throw new VerificationException($"{source}: not signed (no .SIGN.RSA* entry).");
        throw new VerificationException(
            $"{source}: signed by unknown key {string.Join(", ", seen.Select(s => $"'{s}'"))}. If you trust it, add " +
            "that .rsa.pub file (same file name) to the recipe's keyrings.");
    }
}
