using System.Text;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.OpenPgp;
using Bootstrapper.Engine.Families.Debian.Repository;
using Bootstrapper.Tests.Fixtures;
using Org.BouncyCastle.Bcpg;

namespace Bootstrapper.Tests.Core.OpenPgp;

public class OpenPgpVerifierTests
{
    private const string Source = "http://127.0.0.1/debian/dists/bookworm/InRelease";
    private const string Text = "Origin: Fixture\nSuite: stable\nDescription: a line\n-----BEGIN PGP SIGNATURE----- lookalike\n--\nEnd: yes\n";
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private static OpenPgpKeyring Ring(params TestKey[] keys) =>
        OpenPgpKeyring.Load(keys.Select((k, i) => ($"key{i}.gpg", k.PublicKeyringBytes)));

    [Fact]
    public void Good_clearsigned_returns_only_the_signed_text_with_the_signing_fingerprint()
    {
        var key = TestKey.Default;
        var result = ClearsignedVerifier.Verify(key.ClearSign(Text), Ring(key), Now, Source);
        Assert.Equal(Text, result.Text); // dash-escaped lines came back unescaped
        Assert.Equal([key.SigningFingerprint], result.Fingerprints);
        Assert.Equal("SHA256", result.Signatures.Good[0].HashAlgorithm);
    }

    [Fact]
    public void Rsa_key_with_signing_subkey_verifies_and_reports_both_fingerprints()
    {
        var key = TestKey.Generate("Sub <sub@fixture.invalid>", TestKeyAlgorithm.Rsa2048, withSigningSubkey: true);
        var result = ClearsignedVerifier.Verify(key.ClearSign(Text, HashAlgorithmTag.Sha512), Ring(key), Now, Source);
        var good = Assert.Single(result.Signatures.Good);
        Assert.Equal(key.SigningFingerprint, good.KeyFingerprint);
        Assert.Equal(key.PrimaryFingerprint, good.PrimaryKeyFingerprint);
        Assert.NotEqual(good.KeyFingerprint, good.PrimaryKeyFingerprint);
        Assert.Equal("Sub <sub@fixture.invalid>", good.UserId);
    }

    [Fact]
    public void Trailing_whitespace_and_crlf_added_after_signing_still_verify_but_never_reach_the_text()
    {
        var signed = Encoding.UTF8.GetString(TestKey.Default.ClearSign(Text));
        var altered = signed.Replace("Suite: stable\n", "Suite: stable \t\n").Replace("\n", "\r\n");
        var result = ClearsignedVerifier.Verify(Encoding.UTF8.GetBytes(altered), Ring(TestKey.Default), Now, Source);
        Assert.Equal(Text, result.Text);
    }

    [Fact]
    public void Signed_only_by_an_unknown_key_is_refused_naming_the_key()
    {
        var stranger = TestKey.Generate("Stranger <x@fixture.invalid>");
        var e = Assert.Throws<VerificationException>(() =>
            ClearsignedVerifier.Verify(stranger.ClearSign(Text), Ring(TestKey.Default), Now, Source));
        Assert.Equal($"{Source}: signed only by unknown key {stranger.SigningFingerprint}; " +
                     "add the right keyring to the recipe's keyrings or --keyring", e.Message);
    }

    [Fact]
    public void Unknown_signers_beside_a_known_good_one_are_ignored()
    {
        var stranger = TestKey.Generate("Stranger <x@fixture.invalid>");
        var data = TestKey.ClearSign(Text, [stranger, TestKey.Default]);
        var result = ClearsignedVerifier.Verify(data, Ring(TestKey.Default), Now, Source);
        Assert.Equal([TestKey.Default.SigningFingerprint], result.Fingerprints);
    }

    [Fact]
    public void Altered_text_is_a_BAD_signature()
    {
        var data = Encoding.UTF8.GetString(TestKey.Default.ClearSign(Text)).Replace("Suite: stable", "Suite: stablE");
        var e = Assert.Throws<VerificationException>(() =>
            ClearsignedVerifier.Verify(Encoding.UTF8.GetBytes(data), Ring(TestKey.Default), Now, Source));
        Assert.StartsWith($"{Source}: BAD signature by key {TestKey.Default.SigningFingerprint} (Fixture Archive Key <archive@fixture.invalid>): " +
                          "the file was altered after signing", e.Message);
    }

    [Fact]
    public void One_BAD_signature_from_a_known_key_rejects_even_beside_a_good_one()
    {
        var other = TestKey.Generate("Other <o@fixture.invalid>");
        var packets = TestKey.Default.TextSignature(Text).Concat(other.TextSignature(Text + "Extra: 1\n")).ToArray();
        var e = Assert.Throws<VerificationException>(() =>
            ClearsignedVerifier.Verify(TestKey.Compose(Text, packets), Ring(TestKey.Default, other), Now, Source));
        Assert.Contains($"BAD signature by key {other.SigningFingerprint}", e.Message);
    }

    [Fact]
    public void Expired_key_is_refused()
    {
        var old = TestKey.Generate("Old <old@fixture.invalid>", created: DateTime.UtcNow.AddDays(-30), validFor: TimeSpan.FromDays(10));
        var e = Assert.Throws<VerificationException>(() =>
            ClearsignedVerifier.Verify(old.ClearSign(Text), Ring(old), Now, Source));
        Assert.Equal($"{Source}: no signature can be trusted: key {old.SigningFingerprint} expired on " +
                     $"{DateTime.UtcNow.AddDays(-20):yyyy-MM-dd}. Update the keyring (for Debian: a newer debian-archive-keyring) " +
                     "in the recipe's keyrings or --keyring", e.Message);
    }

    [Fact]
    public void Expired_signing_subkey_is_refused_and_unexpired_one_accepted_at_an_earlier_time()
    {
        var key = TestKey.Generate("Sub <sub@fixture.invalid>", created: DateTime.UtcNow.AddDays(-30), validFor: TimeSpan.FromDays(40),
            withSigningSubkey: true);
        var data = key.ClearSign(Text);
        Assert.Single(ClearsignedVerifier.Verify(data, Ring(key), Now, Source).Fingerprints);
        var e = Assert.Throws<VerificationException>(() => ClearsignedVerifier.Verify(data, Ring(key), Now.AddDays(11), Source));
        Assert.Contains($"key {key.SigningFingerprint} expired on", e.Message);
    }

    [Fact]
    public void Revoked_key_is_refused()
    {
        var key = TestKey.Generate("Revoked <r@fixture.invalid>", revoked: true);
        var e = Assert.Throws<VerificationException>(() => ClearsignedVerifier.Verify(key.ClearSign(Text), Ring(key), Now, Source));
        Assert.Contains($"key {key.SigningFingerprint} is revoked", e.Message);
    }

    [Fact]
    public void Sha1_signature_is_refused_as_weak()
    {
        var e = Assert.Throws<VerificationException>(() =>
            ClearsignedVerifier.Verify(TestKey.Default.ClearSign(Text, HashAlgorithmTag.Sha1), Ring(TestKey.Default), Now, Source));
        Assert.Contains($"the signature by key {TestKey.Default.SigningFingerprint} uses the weak hash Sha1 (SHA-256 or stronger is required)", e.Message);
    }

    [Fact]
    public void A_key_certification_passed_off_as_a_document_signature_is_refused()
    {
        // The key's own self-signature is a valid signature by a known key, but over the key, not over this text.
        var selfSignature = TestKey.Default.PublicRing.GetPublicKey().GetSignatures().First().GetEncoded();
        var e = Assert.Throws<VerificationException>(() =>
            ClearsignedVerifier.Verify(TestKey.Compose(Text, selfSignature), Ring(TestKey.Default), Now, Source));
        Assert.Contains($"no signature can be trusted: the signature by key {TestKey.Default.SigningFingerprint} is not a document signature (type 0x13)", e.Message);
    }

    [Theory]
    [InlineData("Injected: before\n", "", "line 1 should be '-----BEGIN PGP SIGNED MESSAGE-----'")]
    [InlineData("", "Injected: after\n", "follows the signature; nothing may come after '-----END PGP SIGNATURE-----'")]
    public void Text_outside_the_signed_part_is_refused(string before, string after, string expected)
    {
        var data = before + Encoding.UTF8.GetString(TestKey.Default.ClearSign(Text)) + after;
        var e = Assert.Throws<VerificationException>(() =>
            ClearsignedVerifier.Verify(Encoding.UTF8.GetBytes(data), Ring(TestKey.Default), Now, Source));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith($"{Source}: not a valid clearsigned OpenPGP file:", e.Message);
    }

    [Fact]
    public void Armour_headers_other_than_Hash_are_refused()
    {
        var data = Encoding.UTF8.GetString(TestKey.Default.ClearSign(Text)).Replace("Hash: SHA256\n", "Hash: SHA256\nComment: hi\n");
        var e = Assert.Throws<VerificationException>(() =>
            ClearsignedVerifier.Verify(Encoding.UTF8.GetBytes(data), Ring(TestKey.Default), Now, Source));
        Assert.Contains("line 3 has armour header 'Comment: hi'; only 'Hash:' is allowed", e.Message);
    }

    [Fact]
    public void Unsigned_file_is_refused()
    {
        var e = Assert.Throws<VerificationException>(() =>
            ClearsignedVerifier.Verify(Encoding.UTF8.GetBytes(Text), Ring(TestKey.Default), Now, Source));
        Assert.Contains("line 1 should be '-----BEGIN PGP SIGNED MESSAGE-----' (is the file signed at all", e.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Detached_signature_armoured_or_binary_verifies_and_detects_changes(bool armour)
    {
        var data = Encoding.UTF8.GetBytes(Text);
        var sig = TestKey.Default.DetachedSign(data, armour);
        var ok = DetachedVerifier.Verify(data, sig, Ring(TestKey.Default), Now, "Release.gpg");
        Assert.Equal([TestKey.Default.SigningFingerprint], ok.Fingerprints);
        data[0] ^= 0x20;
        var e = Assert.Throws<VerificationException>(() => DetachedVerifier.Verify(data, sig, Ring(TestKey.Default), Now, "Release.gpg"));
        Assert.StartsWith("Release.gpg: BAD signature by key", e.Message);
    }

    [Fact]
    public void Keyring_loads_binary_and_several_armoured_blocks()
    {
        var a = TestKey.Default;
        var b = TestKey.Generate("B <b@fixture.invalid>", withSigningSubkey: true);
        var armoured = a.ArmouredPublicKey.Concat(Encoding.ASCII.GetBytes("\n")).Concat(b.ArmouredPublicKey).ToArray();
        var fromArmour = OpenPgpKeyring.Load([("two.asc", armoured)]);
        Assert.Equal([a.PrimaryFingerprint, b.PrimaryFingerprint], fromArmour.Fingerprints);
        Assert.Equal(3, fromArmour.KeyCount);
        var binary = a.PublicKeyringBytes.Concat(b.PublicKeyringBytes).ToArray();
        Assert.Equal(fromArmour.Fingerprints, OpenPgpKeyring.Load([("two.gpg", binary)]).Fingerprints);
    }

    [Fact]
    public void Keyring_files_and_folders_are_read_from_disk()
    {
        var dir = Directory.CreateTempSubdirectory("keys").FullName;
        try
        {
            var b = TestKey.Generate("B <b@fixture.invalid>");
            Directory.CreateDirectory(Path.Combine(dir, "trusted.d"));
            File.WriteAllBytes(Path.Combine(dir, "trusted.d", "b.asc"), b.ArmouredPublicKey);
            File.WriteAllText(Path.Combine(dir, "trusted.d", "README"), "not a key");
            File.WriteAllBytes(Path.Combine(dir, "a.gpg"), TestKey.Default.PublicKeyringBytes);
            var keyring = RepositoryKeyring.Load([Path.Combine(dir, "a.gpg"), Path.Combine(dir, "trusted.d")]);
            Assert.Equal([TestKey.Default.PrimaryFingerprint, b.PrimaryFingerprint], keyring.Fingerprints);
            var missing = Path.Combine(dir, "missing.gpg");
            var e = Assert.Throws<RecipeException>(() => RepositoryKeyring.Load([missing]));
            Assert.StartsWith($"keyring {missing} does not exist; fix the recipe's keyrings or --keyring", e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Garbage_keyring_is_a_recipe_error_naming_the_file()
    {
        var e = Assert.Throws<RecipeException>(() => OpenPgpKeyring.Load([("notes.txt", Encoding.ASCII.GetBytes("hello"))]));
        Assert.StartsWith("keyring notes.txt: ", e.Message);
    }
}
