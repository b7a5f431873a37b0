using Bootstrapper.Core.Planning;

namespace Bootstrapper.Engine.Pipeline;

/// <summary>
/// The verified package files of one build as the download delivers them. The install asks for a package's file
/// and waits only until that one is verified, so extracting overlaps downloading; a download that fails hands its
/// error to every wait still open.
/// </summary>
internal sealed class PackageFiles
{
    private readonly IReadOnlyDictionary<PlannedPackage, string> _paths;
    private readonly Dictionary<PlannedPackage, TaskCompletionSource<string>> _files;

    /// <param name="paths">Where each package's file will be once verified (the cache is content-addressed, so
    /// that is known before the download).</param>
    public PackageFiles(IReadOnlyDictionary<PlannedPackage, string> paths)
    {
        _paths = paths;
        _files = paths.Keys.ToDictionary(p => p, _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously));
    }

    /// <summary>Files that are all verified already (a fetch's result, a test's .debs).</summary>
    public static PackageFiles Ready(IReadOnlyDictionary<PlannedPackage, string> files)
    {
        var ready = new PackageFiles(files);
        foreach (var (p, path) in files) ready.Deliver(p, path);
        return ready;
    }

    /// <summary>Where <paramref name="package"/>'s file is, or will be once verified (<see cref="GetAsync"/>).</summary>
    public string PathOf(PlannedPackage package) => _paths[package];

    /// <summary>The verified file of <paramref name="package"/>, once it is there.</summary>
    public Task<string> GetAsync(PlannedPackage package, CancellationToken ct) =>
        _files.TryGetValue(package, out var file)
            ? file.Task.WaitAsync(ct)
            : throw new ArgumentException($"{package.Name} {package.Version} is not in this build's plan", nameof(package));

    /// <summary>Every file, once all are verified.</summary>
    public async Task<IReadOnlyDictionary<PlannedPackage, string>> AllAsync(CancellationToken ct)
    {
        var result = new Dictionary<PlannedPackage, string>(_files.Count);
        foreach (var (p, file) in _files) result[p] = await file.Task.WaitAsync(ct).ConfigureAwait(false);
        return result;
    }

    internal void Deliver(PlannedPackage package, string path)
    {
        if (path != _paths[package])
            throw new InvalidOperationException($"{package.Name}: verified at {path}, expected at {_paths[package]}");
        _files[package].TrySetResult(path);
    }

    /// <summary>Ends every wait still open with the download's failure (or cancellation).</summary>
    internal void Fail(Exception error)
    {
        foreach (var file in _files.Values)
            if (error is OperationCanceledException oce) file.TrySetCanceled(oce.CancellationToken);
            else file.TrySetException(error);
    }
}
