namespace Bootstrapper.Engine.Families.Debian.Install;

/// <summary>
/// The last N lines of a chatty child process (dpkg, maintainer scripts): kept so a failure can show what led to
/// it without holding thousands of lines of a successful run in memory.
/// </summary>
internal sealed class BoundedLog(int capacity)
{
    private readonly Queue<string> _lines = new();
    private readonly Lock _lock = new();

    public void Add(string line)
    {
        lock (_lock)
        {
            if (_lines.Count == capacity) _lines.Dequeue();
            _lines.Enqueue(line);
        }
    }

    public string Tail(int count)
    {
        lock (_lock)
            return string.Join("\n", _lines.Skip(Math.Max(0, _lines.Count - count)));
    }
}
