using System.Runtime.ExceptionServices;
using Bootstrapper.Core.Debian.Control;

namespace Bootstrapper.Core.Debian.Resolution;

internal sealed partial class PackageUniverse
{
    /// <summary>An index smaller than this is read in one piece: a run costs a name table and a merge.</summary>
    private const int MinimumRunBytes = 4 << 20;

    /// <summary>
    /// Reads the indices in runs of whole stanzas, on every core at once (bookworm main alone is ~50 MB), and
    /// returns the runs in index and text order. An error is the one the first failing run (in that order) hit,
    /// which is the error reading everything in order would have met first.
    /// </summary>
    private static (List<StanzaSource>, List<PackagesIndexReader.Chunk>) ReadConcurrently(IEnumerable<PackagesIndex> indices,
        string nativeArchitecture, int runsPerIndex, int minimumRunBytes)
    {
        var runs = new List<(StanzaSource Source, int From, int To, int LinesBefore)>();
        var sources = indices.Select(StanzaSource.Of).ToList();
        int cores = Math.Max(1, Environment.ProcessorCount);
        foreach (var source in sources)
        {
            var utf8 = source.Utf8;
            int parts = Math.Clamp(utf8.Length / Math.Max(1, minimumRunBytes), 1, Math.Max(1, runsPerIndex));
            foreach (var (from, to, lines) in PackagesIndexReader.Split(utf8.Span, parts))
                runs.Add((source, from, to, lines));
        }

        var chunks = new PackagesIndexReader.Chunk[runs.Count];
        var errors = new ExceptionDispatchInfo?[runs.Count];
        // Largest runs first, so that the cores finish at about the same time.
        var queue = Enumerable.Range(0, runs.Count).OrderByDescending(i => runs[i].To - runs[i].From).ToArray();
        int next = -1;
        void Work()
        {
            for (int q; (q = Interlocked.Increment(ref next)) < queue.Length;)
            {
                var (source, from, to, lines) = runs[queue[q]];
                try
                {
                    // About one distinct name per 400 bytes of index (bookworm main: 107k names in 50 MB).
                    chunks[queue[q]] = PackagesIndexReader.Read(source, from, to, lines, nativeArchitecture,
                        Math.Max(1024, (to - from) / 400));
                }
                catch (Exception e)
                {
                    errors[queue[q]] = ExceptionDispatchInfo.Capture(e);
                }
            }
        }
        // Threads of their own rather than pool work items: this is called from pool threads (async plans, tests run
        // in parallel), and a helper queued behind a starved pool would only be waited for.
        var helpers = Enumerable.Range(0, Math.Min(cores, runs.Count) - 1)
            .Select(i => new Thread(Work) { IsBackground = true, Name = $"index reader {i + 1}" })
            .ToList();
        helpers.ForEach(t => t.Start());
        Work();
        helpers.ForEach(t => t.Join());
        var result = chunks.ToList();
        // The helpers' closure shares these, and the runs refer to the index bytes (~50 MB).
        runs.Clear();
        Array.Clear(chunks);
        foreach (var error in errors) error?.Throw();
        return (sources, result);
    }
}
