using System.Diagnostics;
using System.Text;
using Bootstrapper.Core.OpenPgp;
using Bootstrapper.Tests.Fixtures;

namespace Bootstrapper.Tests.Core.OpenPgp;

/// <summary>
/// GnuPG as an independent oracle: what gpg clearsigns must verify here (canonicalisation agrees), and what the
/// fixture signs must verify with gpgv (the fixture is a faithful stand-in for a real archive). Needs the Debian
/// packages gpg and gpgv.
/// </summary>
public class OpenPgpInteropTests
{
    // Lines that exercise every canonicalisation rule: dash-escaping, trailing blanks, a "From " line, empty lines.
    private const string Tricky = "Origin: Interop\n- starts with dash\n-----BEGIN PGP SIGNATURE-----\nFrom the start\ntrailing   \t\n\n  indented\nLast: line\n";

    [Fact]
    public void Gpg_clearsigned_text_verifies_and_matches_gpgs_own_output_modulo_trailing_blanks()
    {
        var home = Directory.CreateTempSubdirectory("gpg").FullName;
        try
        {
            Run(home, "gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key",
                "Interop <interop@fixture.invalid>", "ed25519", "sign", "never");
            File.WriteAllText(Path.Combine(home, "in.txt"), Tricky);
            Run(home, "gpg", "--batch", "--digest-algo", "SHA256", "--clearsign", "-o", Path.Combine(home, "in.asc"), Path.Combine(home, "in.txt"));
            Run(home, "gpg", "--batch", "--export", "-o", Path.Combine(home, "pub.gpg"));

            var keyring = OpenPgpKeyring.Load([("pub.gpg", File.ReadAllBytes(Path.Combine(home, "pub.gpg")))]);
            var signed = File.ReadAllBytes(Path.Combine(home, "in.asc"));
            Assert.Contains("\n- - starts with dash\n", Encoding.UTF8.GetString(signed)); // gpg did dash-escape
            var result = ClearsignedVerifier.Verify(signed, keyring, DateTimeOffset.UtcNow, "in.asc");
            Assert.Equal(Tricky.Replace("trailing   \t\n", "trailing\n"), result.Text);
        }
        finally
        {
            try { Run(home, "gpgconf", "--kill", "gpg-agent"); } catch (InvalidOperationException) { }
            Directory.Delete(home, recursive: true);
        }
    }

    [Fact]
    public void Fixture_InRelease_and_Release_gpg_verify_with_gpgv()
    {
        var dir = Directory.CreateTempSubdirectory("gpgv").FullName;
        try
        {
            var repo = new SignedDebianRepository { WithXz = false };
            repo.AddStanza("main", "Package: dash-test\nVersion: 1\nDescription: x\n -- a continuation line starting with dashes\n");
            repo.WriteTo(dir);
            var keyring = Path.Combine(dir, "fixture.gpg");
            File.WriteAllBytes(keyring, TestKey.Default.PublicKeyringBytes);
            var dists = Path.Combine(dir, "dists", "bookworm");
            Run(dir, "gpgv", "--keyring", keyring, Path.Combine(dists, "InRelease"));
            Run(dir, "gpgv", "--keyring", keyring, Path.Combine(dists, "Release.gpg"), Path.Combine(dists, "Release"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void Run(string home, string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["GNUPGHOME"] = home;
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {p.ExitCode}: {err.Result}");
    }
}
