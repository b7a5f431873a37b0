namespace Bootstrapper.Engine.Archives;

/// <summary>What one tar header describes; <see cref="Type"/> is the ustar typeflag ('0', '1', '2', '3', '4', '5', '6').</summary>
internal readonly record struct TarItem(string Name, char Type, uint Mode, uint Uid, uint Gid, long Size, long Mtime,
    string LinkName = "", uint DevMajor = 0, uint DevMinor = 0,
    IReadOnlyList<KeyValuePair<string, byte[]>>? Xattrs = null);
