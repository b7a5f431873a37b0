using Bootstrapper.Core.Errors;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.OpenSsl;

namespace Bootstrapper.Core.Alpine.Index;

/// <summary>
/// The trusted RSA public keys, by file name. apk does not use fingerprints: a signature entry
/// <c>.SIGN.RSA.&lt;keyname&gt;</c> names the key file in /etc/apk/keys, and only a key with that exact name is tried
/// (apk-tools extract_v2.c, apk_trust_key_by_name). Verification uses BouncyCastle, so SHA-1 signatures (still
/// what Alpine's index and packages use) verify even where the system crypto policy disables SHA-1.
/// </summary>
internal sealed class ApkKeyring
{
    private readonly Dictionary<string, string> _pem;
    private readonly Dictionary<string, RsaKeyParameters> _parsed = new(StringComparer.Ordinal);

    /// <param name="keys">File name (e.g. "alpine-devel@lists.alpinelinux.org-6165ee59.rsa.pub") to PEM text.</param>
    public ApkKeyring(IEnumerable<KeyValuePair<string, string>> keys)
    {
        _pem = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, pem) in keys) _pem[name] = pem;
    }

    public IReadOnlyCollection<string> Names => _pem.Keys;

    /// <summary>The PEM text of a key, to install it into the image's etc/apk/keys.</summary>
    public string GetPem(string name) => _pem[name];

    public bool Contains(string name) => _pem.ContainsKey(name);

    /// <summary>PKCS#1 v1.5 verification of <paramref name="signature"/> over <paramref name="signed"/>.</summary>
    public bool Verify(string keyName, ApkSignatureAlgorithm algorithm, ReadOnlySpan<byte> signed, byte[] signature)
    {
        var key = Get(keyName);
        IDigest digest = algorithm switch
        {
            ApkSignatureAlgorithm.RsaSha1 => new Sha1Digest(),
            ApkSignatureAlgorithm.RsaSha256 => new Sha256Digest(),
            ApkSignatureAlgorithm.RsaSha512 => new Sha512Digest(),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
        };
        var signer = new RsaDigestSigner(digest);
        signer.Init(false, key);
        signer.BlockUpdate(signed);
        return signer.VerifySignature(signature);
    }

    private RsaKeyParameters Get(string name)
    {
        if (_parsed.TryGetValue(name, out var k)) return k;
        object? obj;
        try
        {
            using var reader = new StringReader(_pem[name]);
            obj = new PemReader(reader).ReadObject();
        }
        catch (Exception e) when (e is IOException or PemException or ArgumentException or InvalidCastException)
        {
            throw new RecipeException($"Alpine key '{name}' is not a PEM RSA public key: {e.Message}", e);
        }
        if (obj is not RsaKeyParameters { IsPrivate: false } rsa)
            throw new RecipeException($"Alpine key '{name}' is not an RSA public key (-----BEGIN PUBLIC KEY-----).");
        _parsed[name] = rsa;
        return rsa;
    }
}

internal enum ApkSignatureAlgorithm { RsaSha1, RsaSha256, RsaSha512 }
