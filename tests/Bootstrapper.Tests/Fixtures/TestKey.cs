using System.Text;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;

namespace Bootstrapper.Tests.Fixtures;

public enum TestKeyAlgorithm { Ed25519, Rsa2048 }

/// <summary>
/// A throwaway OpenPGP key made in-process (Ed25519 by default: ~1 ms, versus ~0.5 s for RSA-2048), able to
/// clearsign and detach-sign like <c>gpg --clearsign</c> / <c>gpg --detach-sign</c>. Knobs make expired, revoked and
/// signing-subkey variants for policy tests. Never used outside tests.
/// </summary>
public sealed class TestKey
{
    private static readonly SecureRandom Random = new();
    private readonly PgpPrivateKey _signingPrivate;
    private readonly PgpPublicKey _signingPublic;

    private TestKey(PgpPublicKeyRing ring, PgpPrivateKey signingPrivate, PgpPublicKey signingPublic)
    {
        PublicRing = ring;
        _signingPrivate = signingPrivate;
        _signingPublic = signingPublic;
    }

    /// <summary>A fresh Ed25519 key valid forever; generated once per test run.</summary>
    public static TestKey Default => LazyDefault.Value;
    private static readonly Lazy<TestKey> LazyDefault = new(() => Generate("Fixture Archive Key <archive@fixture.invalid>"));

    public PgpPublicKeyRing PublicRing { get; }

    /// <summary>Fingerprint (upper-case hex) of the key that signs: the subkey when there is one.</summary>
    public string SigningFingerprint => Convert.ToHexString(_signingPublic.GetFingerprint());
    public string PrimaryFingerprint => Convert.ToHexString(PublicRing.GetPublicKey().GetFingerprint());

    /// <summary>The public keyring in binary form, as in /usr/share/keyrings.</summary>
    public byte[] PublicKeyringBytes => PublicRing.GetEncoded();

    /// <summary>The public key ASCII-armoured (.asc).</summary>
    public byte[] ArmouredPublicKey => Armour(PublicRing.GetEncoded());

    /// <param name="created">Key creation time (default: one day ago).</param>
    /// <param name="validFor">Key lifetime from creation; null = never expires.</param>
    /// <param name="withSigningSubkey">Sign with a subkey bound to the primary, as Debian's archive keys do.</param>
    /// <param name="revoked">Add a key revocation signature.</param>
    public static TestKey Generate(string userId, TestKeyAlgorithm algorithm = TestKeyAlgorithm.Ed25519, DateTime? created = null,
        TimeSpan? validFor = null, bool withSigningSubkey = false, bool revoked = false)
    {
        var when = created ?? DateTime.UtcNow.AddDays(-1);
        var primary = NewPair(algorithm, when);
        var hashed = new PgpSignatureSubpacketGenerator();
        hashed.SetKeyFlags(false, withSigningSubkey ? 0x01 : 0x01 | 0x02); // certify (+ sign)
        if (validFor is { } life) hashed.SetKeyExpirationTime(false, (long)life.TotalSeconds);
        var generator = new PgpKeyRingGenerator(PgpSignature.PositiveCertification, primary, userId,
            SymmetricKeyAlgorithmTag.Null, HashAlgorithmTag.Sha256, Array.Empty<char>(), false, hashed.Generate(), null, Random);
        var signing = primary;
        if (withSigningSubkey)
        {
            signing = NewPair(algorithm, when);
            var subHashed = new PgpSignatureSubpacketGenerator();
            subHashed.SetKeyFlags(false, 0x02);
            if (validFor is { } subLife) subHashed.SetKeyExpirationTime(false, (long)subLife.TotalSeconds);
            generator.AddSubKey(signing, subHashed.Generate(), null, HashAlgorithmTag.Sha256);
        }
        var ring = generator.GeneratePublicKeyRing();
        if (revoked)
        {
            var sigGen = new PgpSignatureGenerator(primary.PublicKey.Algorithm, HashAlgorithmTag.Sha256);
            sigGen.InitSign(PgpSignature.KeyRevocation, primary.PrivateKey);
            var revokedKey = PgpPublicKey.AddCertification(ring.GetPublicKey(), sigGen.GenerateCertification(ring.GetPublicKey()));
            ring = PgpPublicKeyRing.InsertPublicKey(ring, revokedKey);
        }
        var signingPublic = ring.GetPublicKey(signing.KeyId);
        return new TestKey(ring, signing.PrivateKey, signingPublic);
    }

    /// <summary>A detached signature over <paramref name="data"/> (Release.gpg), binary or armoured.</summary>
    public byte[] DetachedSign(byte[] data, bool armour = true, HashAlgorithmTag hash = HashAlgorithmTag.Sha256)
    {
        var sig = Sign(PgpSignature.BinaryDocument, data, hash).GetEncoded();
        return armour ? Armour(sig) : sig;
    }

    /// <summary>
    /// The canonical bytes a cleartext signature covers (RFC 4880 7.1): trailing spaces/tabs dropped, CRLF between
    /// lines, no final line ending.
    /// </summary>
    public static byte[] CanonicalText(string text)
    {
        var lines = text.TrimEnd('\n').Split('\n').Select(l => l.TrimEnd('\r').TrimEnd(' ', '\t'));
        return Encoding.UTF8.GetBytes(string.Join("\r\n", lines));
    }

    /// <summary>An InRelease-style clearsigned document signed by every key given (in order).</summary>
    public static byte[] ClearSign(string text, IEnumerable<TestKey> signers, HashAlgorithmTag hash = HashAlgorithmTag.Sha256)
    {
        var signatures = new MemoryStream();
        foreach (var key in signers) signatures.Write(key.TextSignature(text, hash));
        return Compose(text, signatures.ToArray(), hash);
    }

    /// <summary>The raw signature packet a clearsigned document over <paramref name="text"/> would carry.</summary>
    public byte[] TextSignature(string text, HashAlgorithmTag hash = HashAlgorithmTag.Sha256) =>
        Sign(PgpSignature.CanonicalTextDocument, CanonicalText(text), hash).GetEncoded();

    /// <summary>Writes the cleartext framework around <paramref name="text"/> with the given signature packets.</summary>
    public static byte[] Compose(string text, byte[] signaturePackets, HashAlgorithmTag hash = HashAlgorithmTag.Sha256)
    {
        var sb = new StringBuilder();
        sb.Append("-----BEGIN PGP SIGNED MESSAGE-----\n");
        sb.Append($"Hash: {hash.ToString().ToUpperInvariant()}\n\n");
        // Dash-escaping (RFC 4880 7.1): lines starting with '-' get "- " in front.
        foreach (var line in text.TrimEnd('\n').Split('\n'))
            sb.Append(line.StartsWith('-') ? "- " + line : line).Append('\n');
        sb.Append(Encoding.ASCII.GetString(Armour(signaturePackets)));
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    public byte[] ClearSign(string text, HashAlgorithmTag hash = HashAlgorithmTag.Sha256) => ClearSign(text, [this], hash);

    private PgpSignature Sign(int type, byte[] data, HashAlgorithmTag hash)
    {
        var gen = new PgpSignatureGenerator(_signingPublic.Algorithm, hash);
        gen.InitSign(type, _signingPrivate, Random);
        var hashed = new PgpSignatureSubpacketGenerator();
        hashed.SetSignatureCreationTime(false, DateTime.UtcNow);
        hashed.SetIssuerFingerprint(false, _signingPublic);
        gen.SetHashedSubpackets(hashed.Generate());
        gen.Update(data);
        return gen.Generate();
    }

    private static PgpKeyPair NewPair(TestKeyAlgorithm algorithm, DateTime created)
    {
        if (algorithm == TestKeyAlgorithm.Ed25519)
        {
            var gen = new Ed25519KeyPairGenerator();
            gen.Init(new Ed25519KeyGenerationParameters(Random));
            return new PgpKeyPair(PublicKeyAlgorithmTag.EdDsa_Legacy, gen.GenerateKeyPair(), created);
        }
        var rsa = new RsaKeyPairGenerator();
        rsa.Init(new RsaKeyGenerationParameters(BigInteger.ValueOf(0x10001), Random, 2048, 25));
        return new PgpKeyPair(PublicKeyAlgorithmTag.RsaGeneral, rsa.GenerateKeyPair(), created);
    }

    /// <summary>ArmoredOutputStream names the block (SIGNATURE, PUBLIC KEY BLOCK) from the first packet.</summary>
    private static byte[] Armour(byte[] data)
    {
        var output = new MemoryStream();
        using (var armoured = new ArmoredOutputStream(output))
        {
            armoured.Write(data);
        }
        return Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(output.ToArray()).Replace("\r\n", "\n"));
    }
}
