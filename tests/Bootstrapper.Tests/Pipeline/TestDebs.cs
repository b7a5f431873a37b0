using System.Formats.Tar;
using System.IO.Compression;
using Bootstrapper.Engine.Archives;
using Bootstrapper.Tests.Archives;

namespace Bootstrapper.Tests.Pipeline;

/// <summary>Builds .deb files in memory around any data tar, including hostile ones dpkg-deb would never make.</summary>
internal static class TestDebs
{
    public static byte[] Build(string name, string version, TarBuilder data, string architecture = "amd64")
    {
        var control = new MemoryStream();
        using (var gz = new GZipStream(control, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gz, TarEntryFormat.Gnu, leaveOpen: true))
        {
            var text = $"Package: {name}\nVersion: {version}\nArchitecture: {architecture}\nMaintainer: tests <t@t.invalid>\n" +
                       $"Description: test package {name}\n";
            tar.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, "./control")
            {
                Mode = (UnixFileMode)0x1A4,
                DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)),
            });
        }
        var deb = new MemoryStream();
        var ar = new ArWriter(deb);
        ar.Add("debian-binary", "2.0\n"u8);
        ar.Add("control.tar.gz", control.ToArray());
        ar.Add("data.tar", data.Build());
        return deb.ToArray();
    }
}
