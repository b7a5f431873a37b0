using Bootstrapper.Engine.Pipeline;

namespace Bootstrapper.Tests.Fixtures;

/// <summary>Keeps the warnings of a run through the engine (the CLI prints them to the process's stderr).</summary>
internal sealed class RecordingReporter : IBuildReporter
{
    public System.Collections.Concurrent.ConcurrentQueue<string> Lines { get; } = new();
    public void PhaseStarted(string phase, string detail) { }
    public void PhaseFinished(string phase, TimeSpan elapsed, string summary) { }
    public void Progress(string phase, long done, long total, string unit) { }
    public void Info(string message) { }
    public void Verbose(string message) { }
    public void Warning(string message) => Lines.Enqueue(message);
}
