using System.CommandLine;
using Bootstrapper.Core.Oci;
using Bootstrapper.Engine.Oci;
using Bootstrapper.Engine.Oci.Registry;
using Bootstrapper.Engine.Pipeline;

namespace Bootstrapper.Cli.Commands;

/// <summary>
/// `bootstrap push SRC REF [--tls-verify=false] [--authfile FILE]`: sends an image to a registry (README "Publishing
/// images") and prints the pushed manifest's digest on stdout; progress goes to stderr.
/// </summary>
internal static class PushCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var source = new Argument<string>("source") { Description = "An .oci.tar, an .oci folder, or a tar bootstrap built (wrapped with its manifest's image config)." };
        var target = new Argument<string>("reference") { Description = "REGISTRY/REPOSITORY[:TAG], e.g. registry.internal/base/bookworm:2026-12-07." };
        var tlsVerify = new Option<bool>("--tls-verify")
        {
            Description = "Verify the registry's TLS certificate (default true); false also allows plain HTTP.",
            DefaultValueFactory = _ => true,
        };
        var authFile = new Option<string?>("--authfile") { Description = "Credentials file (containers-auth.json); default: REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json, ~/.docker/config.json." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the digest." };
        var cmd = new Command("push", "Push an image to an OCI registry, with its SBOM attached (OCI 1.1 referrer); prints the digest.")
        {
            source,
            target,
            tlsVerify,
            authFile,
            quiet
        };
        cmd.SetAction(async (r, ct) =>
        {
            var reference = ImageReference.Parse(r.GetValue(target)!);
            var environment = BuildOptions.ReadEnvironment();
            var (credentials, searched) = RegistryCredentialFiles.Find(reference, r.GetValue(authFile), environment);
            var options = RegistryOptions.FromEnvironment(environment) with
            {
                TlsVerify = r.GetValue(tlsVerify),
                Credentials = credentials,
                CredentialFilesSearched = searched,
            };
            Action<string> say = r.GetValue(quiet) ? _ => { } : line => stderr.WriteLine(line);
            using var src = PushSource.Open(r.GetValue(source)!, ct);
            using var registry = new RegistryClient(reference, options);
            var result = await new ImagePusher(registry, say).PushAsync(src.Layout, reference, src.SbomPath, ct);
            say($"pushed {reference}: {result.BlobsUploaded} blob(s) uploaded, {result.BlobsSkipped} already there");
            if (result.SbomDigest is not null)
                say($"SBOM attached as {result.SbomDigest} ({(result.SbomViaReferrersApi ? "referrers API" : "fallback tag sha256-" + result.Digest[7..])})");
            stdout.WriteLine(result.Digest);
            return 0;
        });
        return cmd;
    }
}
