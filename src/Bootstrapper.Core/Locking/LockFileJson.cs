using System.Text.Json;
using Bootstrapper.Core.Errors;
using Bootstrapper.Core.Planning;

namespace Bootstrapper.Core.Locking;

/// <summary>
/// RECIPE.lock.json, written and read by hand rather than by the reflection serializer: the key order, sorting and
/// formatting are part of the format (the same plan must give the same bytes), and a lock file edited by hand or
/// merged badly must fail with the file, the JSON path and what is wrong, never with a half-filled object.
/// </summary>
/// <example>
/// { "format": 1, "recipe": "debian-bookworm", "family": "debian", "architecture": "amd64",
///   "packages": [ { "name": "base-files", "version": "12.4+deb12u5", "architecture": "amd64",
///                   "repository": "http://mirror.example/debian", "filename": "pool/main/b/base-files/...deb",
///                   "size": 70828, "sha256": "…" } ],
///   "indices": [ { "url": "…/dists/bookworm/InRelease", "suite": "bookworm", "date": "Sat, 09 Mar 2024 …",
///                  "signedBy": [ "4CB50190207B4758A3F73A796ED0E7B82643E131" ] } ] }
/// </example>
internal static class LockFileJson
{
    public static string Write(LockFile lockFile)
    {
        return JsonOutput.Document(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("format", lockFile.Format);
            w.WriteString("recipe", lockFile.Recipe);
            w.WriteString("family", lockFile.Family);
            w.WriteString("architecture", lockFile.Architecture);
            if (lockFile.Selection is not null) w.WriteString("selection", lockFile.Selection);
            w.WriteStartArray("packages");
            foreach (var p in LockFile.Sort(lockFile.Packages))
            {
                w.WriteStartObject();
                w.WriteString("name", p.Name);
                w.WriteString("version", p.Version);
                w.WriteString("architecture", p.Architecture);
                w.WriteString("repository", p.Repository);
                w.WriteString("filename", p.Filename);
                w.WriteNumber("size", p.Size);
                if (p.Sha256 is not null) w.WriteString("sha256", p.Sha256);
                if (p.Q1 is not null) w.WriteString("q1", p.Q1);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("indices");
            foreach (var i in LockFile.Sort(lockFile.Indices))
            {
                w.WriteStartObject();
                w.WriteString("url", i.Url);
                w.WriteString("suite", i.Suite);
                if (i.Date is not null) w.WriteString("date", i.Date);
                w.WriteStartArray("signedBy");
                foreach (var key in i.SignedBy.Order(StringComparer.Ordinal)) w.WriteStringValue(key);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    /// <summary>Reads a lock file, checking every field.</summary>
    /// <param name="sourceName">The file's path, for messages.</param>
    /// <exception cref="RecipeException">Not JSON, a newer format, a missing or wrongly typed field, an unknown key,
    /// a malformed hash, an unsafe file name or a package listed twice. The message names the file and JSON path.</exception>
    public static LockFile Read(string json, string sourceName)
    {
        var conflict = json.IndexOf("\n<<<<<<< ", StringComparison.Ordinal);
        if (json.StartsWith("<<<<<<< ", StringComparison.Ordinal) || conflict >= 0)
        {
            var line = conflict < 0 ? 1 : json.AsSpan(0, conflict + 1).Count('\n') + 1;
            throw new RecipeException(
                $"{sourceName}:{line}: unresolved merge conflict. Do not merge lock files by hand: take either " +
                "side, then plan again to write a lock that matches the recipe.");
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException e)
        {
            throw new RecipeException(
                $"{sourceName}:{(e.LineNumber ?? 0) + 1}: not valid JSON ({e.Message}). Restore the lock file from version " +
                "control, or delete it and plan again to write a new one.", e);
        }
        using (document)
        {
            var root = new JsonReading(document.RootElement, "", sourceName);
            root.OnlyKeys("format", "recipe", "family", "architecture", "selection", "packages", "indices");
            var format = root.Int("format");
            if (format > LockFile.CurrentFormat)
                throw root.Error("format",
                    $"format {format} was written by a newer bootstrap (this one reads up to format " +
                    $"{LockFile.CurrentFormat}); upgrade bootstrap or plan again");
            if (format < 1) throw root.Error("format", $"format must be 1 or more, got {format}");
            var family = root.String("family");
            if (family is not ("debian" or "alpine"))
                throw root.Error("family", $"must be \"debian\" or \"alpine\", got \"{family}\"");

            var packages = root.Array("packages").Select(p => ReadPackage(p, family)).ToList();
            var seen = new Dictionary<(string, string), int>();
            for (var i = 0; i < packages.Count; i++)
            {
                var key = (packages[i].Name, packages[i].Architecture);
                if (seen.TryGetValue(key, out var first))
                    throw new RecipeException(
                        $"{sourceName}: packages[{i}]: {key.Name}:{key.Architecture} is listed twice (also " +
                        $"packages[{first}]); a plan installs one version of a package. Remove one of them.");
                seen[key] = i;
            }
            return new LockFile
            {
                Format = format,
                Recipe = root.String("recipe"),
                Family = family,
                Architecture = root.String("architecture"),
                Selection = root.OptionalString("selection"),
                Packages = LockFile.Sort(packages),
                Indices = LockFile.Sort(root.Array("indices").Select(ReadIndex)),
            };
        }
    }

    private static LockedPackage ReadPackage(JsonReading p, string family)
    {
        p.OnlyKeys("name", "version", "architecture", "repository", "filename", "size", "sha256", "q1");
        var name = p.String("name");
        var filename = p.String("filename");
        // The engine appends this to a mirror URL, reads it under a file:// mirror and writes it into a bundle.
        if (RepositoryPath.Problem(filename) is { } problem)
            throw p.Error("filename", $"package {name}: \"{filename}\" is not a relative path inside the repository ({problem})");
        var size = p.Long("size");
        if (size < 0) throw p.Error("size", $"package {name}: size must not be negative, got {size}");
        if (size > PackageSizes.MaxBytes)
            throw p.Error("size", $"package {name}: {size} bytes is absurd (more than {PackageSizes.MaxText})");
        var sha256 = p.OptionalString("sha256");
        if (sha256 is not null && (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigitLower)))
            throw p.Error("sha256", $"package {name}: must be 64 lower-case hex digits, got \"{sha256}\"");
        var q1 = p.OptionalString("q1");
        if (q1 is not null && !IsQ1(q1))
            throw p.Error("q1", $"package {name}: must be \"Q1\" and the base64 of a 20-byte SHA-1, got \"{q1}\"");
        if (sha256 is null && (family == "debian" || q1 is null))
            throw p.Error("sha256", family == "debian"
                ? $"package {name}: missing; without it the download cannot be verified"
                : $"package {name}: neither sha256 nor q1 is present; without one the download cannot be verified");
        return new LockedPackage
        {
            Name = name,
            Version = p.String("version"),
            Architecture = p.String("architecture"),
            Repository = p.String("repository"),
            Filename = filename,
            Size = size,
            Sha256 = sha256,
            Q1 = q1,
        };
    }

    private static LockedIndex ReadIndex(JsonReading i)
    {
        i.OnlyKeys("url", "suite", "date", "signedBy");
        return new LockedIndex
        {
            Url = i.String("url"),
            Suite = i.String("suite"),
            Date = i.OptionalString("date"),
            SignedBy = i.Array("signedBy").Select(k => k.StringValue()).Order(StringComparer.Ordinal).ToList(),
        };
    }

    private static bool IsQ1(string value)
    {
        if (value.Length != 30 || !value.StartsWith("Q1", StringComparison.Ordinal)) return false;
        Span<byte> digest = stackalloc byte[21];
        return Convert.TryFromBase64String(value[2..], digest, out var written) && written == 20;
    }
}
