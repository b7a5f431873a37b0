namespace Bootstrapper.Engine.Pipeline;

/// <summary>
/// Where the pipeline tells what it is doing. The CLI shows it as a live display on a terminal and as plain lines
/// in logs; tests collect it. Implementations must be thread-safe: downloads report from several tasks.
/// </summary>
internal interface IBuildReporter
{
    void PhaseStarted(string phase, string detail);
    void PhaseFinished(string phase, TimeSpan elapsed, string summary);
    /// <summary>Progress inside a phase: <paramref name="done"/> of <paramref name="total"/> (bytes or items).</summary>
    void Progress(string phase, long done, long total, string unit);
    /// <summary>
    /// What the phase is doing now ("configuring libc6", "running trust-internal-ca", "fetching dpkg"): shown beside its
    /// progress, so a phase that sits at one percentage for seconds (a long maintainer script) says what it waits for.
    /// </summary>
    void Step(string phase, string current) { }
    void Info(string message);
    void Verbose(string message);
    void Warning(string message);
}

/// <summary>A reporter that drops everything (library use, some tests).</summary>
internal sealed class NullReporter : IBuildReporter
{
    public static readonly NullReporter Instance = new();
    public void PhaseStarted(string phase, string detail) { }
    public void PhaseFinished(string phase, TimeSpan elapsed, string summary) { }
    public void Progress(string phase, long done, long total, string unit) { }
    public void Info(string message) { }
    public void Verbose(string message) { }
    public void Warning(string message) { }
}
