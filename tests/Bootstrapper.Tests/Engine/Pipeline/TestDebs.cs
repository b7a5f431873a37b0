using System.Formats.Tar;
using System.IO.Compression;
using Bootstrapper.Engine.Archives;
using Bootstrapper.Tests.Engine.Archives;

namespace Bootstrapper.Tests.Engine.Pipeline;

/// <summary>Builds .deb files in memory around any data tar, including hostile ones dpkg-deb would never make.</summary>
internal static class TestDebs
{
    public static byte[] Build(string name, string version, TarBuilder data, string architecture = "amd64") =>
        Assemble(name, version, architecture, "", "data.tar", data.Build());

    /// <summary>
    /// A decompression bomb: a .deb whose data.tar.gz holds one file, <c>./zeros</c>, of <paramref name="zeroBytes"/>
    /// zeros (gzip keeps about a thousandth of them), and whose control says Installed-Size: <paramref name="installedKiB"/>
    /// (none when negative).
    /// </summary>
    public static byte[] Bomb(string name, string version, long zeroBytes, long installedKiB = 1)
    {
        var data = new MemoryStream();
        using (var gz = new GZipStream(data, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gz, TarEntryFormat.Gnu, leaveOpen: true))
        {
            tar.WriteEntry(new GnuTarEntry(TarEntryType.Directory, "./") { Mode = (UnixFileMode)0x1ED });
            tar.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, "./zeros")
            {
                Mode = (UnixFileMode)0x1A4,
                DataStream = new ZeroStream(zeroBytes),
            });
        }
        return Assemble(name, version, "amd64", installedKiB < 0 ? "" : $"Installed-Size: {installedKiB}\n", "data.tar.gz",
            data.ToArray());
    }

    private static byte[] Assemble(string name, string version, string architecture, string extraControl,
        string dataName, byte[] data)
    {
        var control = new MemoryStream();
        using (var gz = new GZipStream(control, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gz, TarEntryFormat.Gnu, leaveOpen: true))
        {
            var text = $"Package: {name}\nVersion: {version}\nArchitecture: {architecture}\nMaintainer: tests <t@t.invalid>\n" +
                       extraControl + $"Description: test package {name}\n";
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
        ar.Add(dataName, data);
        return deb.ToArray();
    }

    /// <summary>Length zeros, produced as they are read (never held in memory).</summary>
    private sealed class ZeroStream(long length) : Stream
    {
        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = (int)Math.Min(count, length - Position);
            Array.Clear(buffer, offset, n);
            Position += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get; set; }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => Position + offset,
            _ => length + offset,
        };
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
