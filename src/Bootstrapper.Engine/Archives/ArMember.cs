using Bootstrapper.Engine.Streams;

namespace Bootstrapper.Engine.Archives;

/// <summary>
/// One member of a Unix ar archive. <see cref="Data"/> is a window on the archive stream, valid only until the
/// reader moves to the next member.
/// </summary>
internal sealed record ArMember(string Name, long Size, long ModifiedTime, int Uid, int Gid, uint Mode, BoundedReadStream Data);
