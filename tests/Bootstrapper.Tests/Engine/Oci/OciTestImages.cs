using Bootstrapper.Core.Recipes;
using Bootstrapper.Engine.Compression;
using Bootstrapper.Engine.Oci;
using Bootstrapper.Engine.Output;

namespace Bootstrapper.Tests.Engine.Oci;

/// <summary>A small root (a script, a link, 48 KiB of incompressible bytes, 2 MiB of text) and images made from it.</summary>
internal sealed class OciTestImages : IDisposable
{
    public const long Epoch = 1_700_000_000;
    public string Work { get; } = Directory.CreateTempSubdirectory("oci-test-").FullName;
    public string Root => Path.Combine(Work, "root");

    public static readonly ImageSettings Settings = new()
    {
        Env = ["GREETING=hello"],
        Cmd = ["/bin/sh", "-c", "echo hello-from-oci"],
        User = "1000:1000",
        Workdir = "/srv",
        Labels = new Dictionary<string, string> { ["org.example.team"] = "platform", ["a.first"] = "1" },
        Version = "12",
    };

    public OciTestImages()
    {
        Directory.CreateDirectory(Path.Combine(Root, "bin"));
        File.WriteAllText(Path.Combine(Root, "bin", "hello"), "#!/bin/sh\necho hello\n");
        File.CreateSymbolicLink(Path.Combine(Root, "bin", "hi"), "hello");
        var noise = new byte[48 * 1024];
        new Random(42).NextBytes(noise);
        File.WriteAllBytes(Path.Combine(Root, "noise"), noise);
        // 2 MiB of compressible text: enough for zlib's output to show how its input was split
        var random = new Random(7);
        string[] words = ["apt", "dpkg", "libc6", "base-files", "bash", "coreutils", "tzdata", "zlib1g"];
        File.WriteAllText(Path.Combine(Root, "words"),
            string.Join(' ', Enumerable.Range(0, 300_000).Select(_ => words[random.Next(words.Length)])));
        foreach (var entry in Directory.EnumerateFileSystemEntries(Root, "*", SearchOption.AllDirectories).Append(Root))
            if (!File.GetAttributes(entry).HasFlag(FileAttributes.ReparsePoint))
                File.SetLastWriteTimeUtc(entry, DateTime.UnixEpoch.AddSeconds(Epoch + 100));
    }

    public static OciImageSpec Spec(string architecture = "amd64") =>
        OciImageSpec.From("t", "debian", architecture, Settings, Epoch, DateTimeOffset.UnixEpoch);

    /// <param name="setting">The recipe's output.compression, as the build passes it on in its pack options.</param>
    public OciImage Layout(string name, string architecture = "amd64", CompressionKind compression = CompressionKind.Gzip,
        string setting = "auto") =>
        OciImageWriter.FromRoot(Root, Path.Combine(Work, name), Spec(architecture), compression,
            new PackOptions { SourceDateEpoch = Epoch, Compression = setting }, CancellationToken.None);

    public void Dispose() => Directory.Delete(Work, recursive: true);
}
