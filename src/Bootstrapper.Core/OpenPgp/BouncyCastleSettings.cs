namespace Bootstrapper.Core.OpenPgp;

/// <summary>Process-wide BouncyCastle settings that must be in place before the first RSA public-key operation.</summary>
internal static class BouncyCastleSettings
{
    private static int _applied;

    /// <summary>
    /// BouncyCastle re-runs Miller-Rabin primality tests on an RSA modulus every time a public key is used, which
    /// costs ~270 ms per Debian InRelease (two RSA-4096 keys). A public key from a trusted keyring needs no such
    /// test, so it is switched off. The variable is read once, when BouncyCastle's RSA engine is first used.
    /// </summary>
    public static void Apply()
    {
        if (Interlocked.Exchange(ref _applied, 1) == 1) return;
        if (Environment.GetEnvironmentVariable("Org.BouncyCastle.Rsa.MaxMRTests") == null)
            Environment.SetEnvironmentVariable("Org.BouncyCastle.Rsa.MaxMRTests", "0");
    }
}
