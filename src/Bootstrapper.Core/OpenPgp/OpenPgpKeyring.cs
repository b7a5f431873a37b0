using System.Text;
using Bootstrapper.Core.Errors;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Bootstrapper.Core.OpenPgp;

/// <summary>
/// The set of OpenPGP public keys a repository may be signed with (a recipe's keyrings, or --keyring). Accepts the
/// two forms in use: binary keyrings (what Debian ships in /usr/share/keyrings, several keys concatenated) and
/// ASCII-armoured key blocks (.asc, possibly several blocks in one file).
/// </summary>
internal sealed class OpenPgpKeyring
{
    private readonly List<PgpPublicKeyRing> _rings;
    private readonly Dictionary<long, List<(PgpPublicKey Key, PgpPublicKeyRing Ring)>> _byKeyId = [];

    private OpenPgpKeyring(List<PgpPublicKeyRing> rings)
    {
        _rings = rings;
        foreach (var ring in rings)
            foreach (var key in ring.GetPublicKeys())
            {
                if (!_byKeyId.TryGetValue(key.KeyId, out var list))
                    _byKeyId[key.KeyId] = list = [];
                list.Add((key, ring));
            }
    }

    /// <summary>An empty keyring: nothing verifies against it.</summary>
    public static OpenPgpKeyring Empty { get; } = new([]);

    /// <summary>Upper-case hex fingerprints of the primary keys, in file order.</summary>
    public IReadOnlyList<string> Fingerprints => _rings.Select(r => Hex(r.GetPublicKey().GetFingerprint())).ToList();

    /// <summary>Number of (sub)keys, primary and sub, that signatures can be checked against.</summary>
    public int KeyCount => _byKeyId.Values.Sum(l => l.Count);

    /// <param name="files">(name for messages, file contents) pairs; binary or ASCII-armoured.</param>
    /// <exception cref="RecipeException">A file is not an OpenPGP public keyring.</exception>
    public static OpenPgpKeyring Load(IEnumerable<(string name, byte[] data)> files)
    {
        BouncyCastleSettings.Apply();
        var rings = new List<PgpPublicKeyRing>();
        foreach (var (name, data) in files)
        {
            int before = rings.Count;
            try
            {
                if (IsArmoured(data))
                    foreach (var block in ArmouredBlocks(data, name))
                        ReadRings(new ArmoredInputStream(new MemoryStream(block)), rings, name);
                else
                    ReadRings(new MemoryStream(data, writable: false), rings, name);
            }
            catch (Exception e) when (e is IOException or PgpException or ArgumentException or InvalidOperationException)
            {
                throw new RecipeException(
                    $"keyring {name}: not a readable OpenPGP public keyring ({e.Message}); give a binary keyring " +
                    "(as in /usr/share/keyrings) or an ASCII-armoured public key block", e);
            }
            if (rings.Count == before)
                throw new RecipeException(
                    $"keyring {name}: contains no OpenPGP public key; give a binary keyring (as in /usr/share/keyrings) " +
                    "or an ASCII-armoured public key block");
        }
        return new OpenPgpKeyring(rings);
    }

    /// <summary>Keys (primary or sub) whose 64-bit key ID is <paramref name="keyId"/>, with the ring they belong to.</summary>
    internal IReadOnlyList<(PgpPublicKey Key, PgpPublicKeyRing Ring)> Find(long keyId) =>
        _byKeyId.TryGetValue(keyId, out var list) ? list : [];

    internal static string Hex(byte[] bytes) => Convert.ToHexString(bytes);

    /// <summary>First user ID of the ring's primary key, for messages ("Debian Archive Automatic Signing Key").</summary>
    internal static string? UserId(PgpPublicKeyRing ring) => ring.GetPublicKey().GetUserIds().FirstOrDefault();

    private static void ReadRings(Stream input, List<PgpPublicKeyRing> rings, string name)
    {
        var factory = new PgpObjectFactory(input);
        for (var obj = factory.NextPgpObject(); obj != null; obj = factory.NextPgpObject())
        {
            switch (obj)
            {
                case PgpPublicKeyRing ring: rings.Add(ring); break;
                case PgpSecretKeyRing:
                    throw new RecipeException(
                        $"keyring {name}: contains a secret key; give only the public key (gpg --export KEYID), " +
                        "and keep the secret key out of recipes");
                case PgpMarker: break;
                default:
                    throw new RecipeException(
                        $"keyring {name}: contains {obj.GetType().Name} where public keys were expected; " +
                        "give a public keyring, not a signature or message");
            }
        }
    }

    private static bool IsArmoured(byte[] data)
    {
        int i = 0;
        while (i < data.Length && data[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') i++;
        return data.AsSpan(i).StartsWith("-----BEGIN PGP"u8);
    }

    /// <summary>Each "BEGIN PGP PUBLIC KEY BLOCK" .. "END" block; ArmoredInputStream decodes only one at a time.</summary>
    private static IEnumerable<byte[]> ArmouredBlocks(byte[] data, string name)
    {
        var text = Encoding.ASCII.GetString(data);
        const string Begin = "-----BEGIN PGP PUBLIC KEY BLOCK-----", End = "-----END PGP PUBLIC KEY BLOCK-----";
        int pos = 0, count = 0;
        while ((pos = text.IndexOf(Begin, pos, StringComparison.Ordinal)) >= 0)
        {
            int end = text.IndexOf(End, pos, StringComparison.Ordinal);
            if (end < 0)
                throw new RecipeException($"keyring {name}: armoured key block has no '{End}' line; the file is truncated");
            end += End.Length;
            count++;
            yield return Encoding.ASCII.GetBytes(text[pos..end] + "\n");
            pos = end;
        }
        if (count == 0)
            throw new RecipeException($"keyring {name}: armoured file holds no '{Begin}'; give a public key, not a signature or private key");
    }
}
