using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Bootstrapper.EndToEnd.Build;

namespace Bootstrapper.EndToEnd.Oci;

/// <summary>
/// Debian's docker-registry (distribution 2.8) on 127.0.0.1: plain HTTP, or TLS with a self-signed certificate and
/// basic auth (an htpasswd file made by apache2-utils' htpasswd, bcrypt as the registry requires). Stopped and
/// removed with its storage on Dispose.
/// </summary>
public sealed class LocalRegistry : IDisposable
{
    public const string User = "builder", Password = "pa55-w0rd";
    private readonly Process _process;
    public string Dir { get; } = Directory.CreateTempSubdirectory("registry-e2e-").FullName;
    public int Port { get; }
    public string Host => $"127.0.0.1:{Port}";
    public bool Tls { get; }
    /// <summary>A containers-auth.json with this registry's login.</summary>
    public string AuthFile => Path.Combine(Dir, "auth.json");
    public string CertDir => Path.Combine(Dir, "certs");

    public LocalRegistry(bool tlsAndAuth)
    {
        Tls = tlsAndAuth;
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var config = $"""
            version: 0.1
            log: {"{"} level: warn {"}"}
            storage:
              filesystem: {"{"} rootdirectory: {Dir}/data {"}"}
            http:
              addr: {Host}

            """;
        if (tlsAndAuth)
        {
            Directory.CreateDirectory(CertDir);
            using var key = RSA.Create(2048);
            var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
            using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            File.WriteAllText(Path.Combine(CertDir, "registry.crt"), cert.ExportCertificatePem());
            File.WriteAllText(Path.Combine(Dir, "registry.key"), key.ExportPkcs8PrivateKeyPem());
            var htpasswd = Sh.Run("htpasswd", "-Bbn", User, Password).Ok("htpasswd").Stdout.Trim();
            File.WriteAllText(Path.Combine(Dir, "htpasswd"), htpasswd + "\n");
            config += $"""
                  tls: {"{"} certificate: {CertDir}/registry.crt, key: {Dir}/registry.key {"}"}
                auth:
                  htpasswd: {"{"} realm: e2e, path: {Dir}/htpasswd {"}"}

                """;
            var auth = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{User}:{Password}"));
            File.WriteAllText(AuthFile, $"{{\"auths\": {{\"{Host}\": {{\"auth\": \"{auth}\"}}}}}}");
        }
        File.WriteAllText(Path.Combine(Dir, "config.yml"), config);
        var psi = new ProcessStartInfo("docker-registry") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("serve");
        psi.ArgumentList.Add(Path.Combine(Dir, "config.yml"));
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        WaitUntilListening();
    }

    private void WaitUntilListening()
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(20); DateTime.UtcNow < deadline; Thread.Sleep(100))
        {
            if (_process.HasExited) throw new InvalidOperationException($"docker-registry exited with {_process.ExitCode}");
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
            }
        }
        throw new TimeoutException($"docker-registry did not listen on {Host}");
    }

    /// <summary>skopeo's flags for this registry.</summary>
    public string[] SkopeoFlags => Tls
        ? ["--tls-verify=false", "--creds", $"{User}:{Password}"]
        : ["--tls-verify=false"];

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill();
        _process.WaitForExit();
        _process.Dispose();
        Directory.Delete(Dir, recursive: true);
    }
}
