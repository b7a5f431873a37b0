using System.Globalization;
using Bootstrapper.Core.Errors;

namespace Bootstrapper.Core.Debian.Control;

/// <summary>
/// A parsed Debian Release file (the signed text of InRelease, or Release). Fields as described on the Debian wiki
/// page DebianRepository/Format. Only SHA256 digests are kept: MD5Sum and SHA1 are not collision resistant and
/// apt no longer trusts them alone. The checks are separate methods so the caller decides the order and the clock.
/// </summary>
internal sealed class ReleaseFile
{
    private readonly Dictionary<string, ReleaseEntry> _sha256;

    private ReleaseFile(Deb822Paragraph p, Dictionary<string, ReleaseEntry> sha256, string source)
    {
        _sha256 = sha256;
        Source = source;
        Origin = p["Origin"];
        Label = p["Label"];
        Suite = p["Suite"];
        Codename = p["Codename"];
        Version = p["Version"];
        DateText = p["Date"];
        Date = DateText == null ? null : ParseDate(DateText, "Date", source);
        ValidUntil = p["Valid-Until"] is { } vu ? ParseDate(vu, "Valid-Until", source) : null;
        Architectures = Words(p["Architectures"]);
        Components = Words(p["Components"]);
        AcquireByHash = string.Equals(p["Acquire-By-Hash"], "yes", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Name of the file this came from, used in messages.</summary>
    public string Source { get; }
    public string? Origin { get; }
    public string? Label { get; }
    public string? Suite { get; }
    public string? Codename { get; }
    public string? Version { get; }
    /// <summary>The Date field exactly as written.</summary>
    public string? DateText { get; }
    public DateTimeOffset? Date { get; }
    public DateTimeOffset? ValidUntil { get; }
    public IReadOnlyList<string> Architectures { get; }
    /// <summary>As written; debian-security writes "updates/main" for the component clients call "main".</summary>
    public IReadOnlyList<string> Components { get; }
    /// <summary>"Acquire-By-Hash: yes": every index is also at DIR/by-hash/SHA256/&lt;digest&gt;.</summary>
    public bool AcquireByHash { get; }
    /// <summary>SHA256 entries by path.</summary>
    public IReadOnlyDictionary<string, ReleaseEntry> Sha256 => _sha256;

    /// <exception cref="VerificationException">The text is not a Release file (it is signed, so the repository is broken).</exception>
    public static ReleaseFile Parse(string text, string source = "Release")
    {
        List<Deb822Paragraph> paragraphs;
        try
        {
            paragraphs = Deb822.Parse(text, sourceName: source);
        }
        catch (FormatException e)
        {
            throw new VerificationException($"{e.Message} (Release file); the repository is broken, use another mirror or suite", e);
        }
        if (paragraphs.Count != 1)
            throw new VerificationException(
                $"{source}: a Release file has exactly one paragraph, this one has {paragraphs.Count}; the repository is broken");
        var p = paragraphs[0];
        var entries = new Dictionary<string, ReleaseEntry>(StringComparer.Ordinal);
        if (p["SHA256"] is { } list)
        {
            int n = 0;
            foreach (var raw in list.Split('\n'))
            {
                n++;
                var line = raw.Trim();
                if (line.Length == 0) continue;
                var parts = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length != 3 || !IsSha256(parts[0]) || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
                    throw new VerificationException(
                        $"{source}: SHA256 entry '{line}' is not '<64 hex digits> <size> <path>'; the repository is broken");
                entries[parts[2]] = new ReleaseEntry(parts[2], parts[0].ToLowerInvariant(), size);
            }
        }
        if (entries.Count == 0)
            throw new VerificationException(
                $"{source}: has no SHA256 entries, so no index can be checked; the repository is too old or broken (MD5/SHA1 alone are not trusted)");
        return new ReleaseFile(p, entries, source);
    }

    /// <summary>The SHA256 entry for a path under dists/SUITE/, or null.</summary>
    public ReleaseEntry? Find(string path) => _sha256.GetValueOrDefault(path);

    /// <summary>
    /// Like apt: the requested name must equal the Suite or the Codename field, so "bookworm" and "oldstable" both
    /// match bookworm's Release. A mismatch means the mirror serves another distribution (or an attacker replays one).
    /// </summary>
    /// <exception cref="VerificationException"></exception>
    public void CheckSuite(string requested)
    {
        if (requested == Suite || requested == Codename) return;
        throw new VerificationException(
            $"{Source}: asked for suite '{requested}' but the signed Release says Suite '{Suite ?? "(none)"}', Codename " +
            $"'{Codename ?? "(none)"}'; the mirror serves another distribution or an old copy. Check the suite name and mirror");
    }

    /// <summary>Allowance for a host clock slightly behind the archive's when checking that Date is not in the future.</summary>
    public static readonly TimeSpan ClockSkewAllowance = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Valid-Until (when present) must be in the future: it is what stops a mirror (or attacker) from freezing clients
    /// on an old signed Release with known-vulnerable packages. A Date in the future means the clock is wrong.
    /// </summary>
    /// <param name="expiryAcceptedBy">What lets an expired Release through (an option, a lock, a bundle), as apt's
    /// Check-Valid-Until=false does; null: expiry is an error. The signature was checked either way.</param>
    /// <returns>The warning to print when an expired Release was accepted; null when it has not expired.</returns>
    /// <exception cref="VerificationException"></exception>
    public string? CheckValidity(DateTimeOffset now, string? expiryAcceptedBy = null)
    {
        if (Date is { } date && date > now + ClockSkewAllowance)
            throw new VerificationException(
                $"{Source}: not valid yet: Date {date:yyyy-MM-dd HH:mm:ss} UTC is in the future (now {now.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC); " +
                "check the system clock");
        if (ValidUntil is not { } vu || vu > now) return null;
        var expired = $"{Source}: expired: Valid-Until {vu:yyyy-MM-dd HH:mm:ss} UTC has passed (now {now.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC)";
        if (expiryAcceptedBy is not null)
            return $"{expired}; accepted because of {expiryAcceptedBy} (the signature was verified)";
        throw new VerificationException(
            expired + ". The mirror is stale or replays an old Release; use an up-to-date mirror, or check the system clock. " +
            "To build from it anyway (a snapshot, an archived suite; the signature is still verified), pass " +
            "--no-check-valid-until or set check_valid_until = false on this source in the recipe");
    }

    /// <summary>
    /// True when the Release offers <paramref name="component"/>, either as written or as the last path segment
    /// of an entry (debian-security's "updates/main" is requested as "main", as apt does).
    /// </summary>
    public bool HasComponent(string component) =>
        Components.Count == 0 || Components.Any(c => c == component || c.EndsWith("/" + component, StringComparison.Ordinal));

    /// <summary>Requested components and architecture must be listed (when the Release lists them at all).</summary>
    /// <exception cref="RecipeException">Something requested is not offered by this suite.</exception>
    public void CheckOffers(IEnumerable<string> components, string architecture)
    {
        var missing = components.Where(c => !HasComponent(c)).ToList();
        if (missing.Count > 0)
            throw new RecipeException(
                $"{Source}: component{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing)} not offered (it has: " +
                $"{string.Join(" ", Components)}); fix the recipe's components");
        if (Architectures.Count > 0 && !Architectures.Contains(architecture))
            throw new RecipeException(
                $"{Source}: architecture '{architecture}' not offered (it has: {string.Join(" ", Architectures)}); " +
                "fix the recipe's architecture or pick another suite");
    }

    private static IReadOnlyList<string> Words(string? value) =>
        value == null ? [] : value.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);

    private static bool IsSha256(string s) => s.Length == 64 && s.All(Uri.IsHexDigit);

    /// <summary>
    /// Release dates are RFC 2822 style in UTC ("Sat, 10 Jun 2023 08:50:56 UTC"); some archives write "+0000" or
    /// "GMT" or a one-digit day. The weekday is ignored, as apt does.
    /// </summary>
    internal static DateTimeOffset ParseDate(string value, string field, string source)
    {
        var s = value.Trim();
        int comma = s.IndexOf(',');
        if (comma >= 0) s = s[(comma + 1)..].Trim();
        var parts = s.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 5)
        {
            var offset = parts[4] switch
            {
                "UTC" or "GMT" or "Z" or "UT" => TimeSpan.Zero,
                var z when z.Length == 5 && (z[0] == '+' || z[0] == '-') && int.TryParse(z[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var hhmm)
                    => (z[0] == '-' ? -1 : 1) * new TimeSpan(hhmm / 100, hhmm % 100, 0),
                _ => (TimeSpan?)null,
            };
            if (offset != null && DateTime.TryParseExact(string.Join(' ', parts[..4]), ["d MMM yyyy HH:mm:ss", "d MMM yyyy H:mm:ss"],
                    CultureInfo.InvariantCulture, DateTimeStyles.None, out var dt))
                return new DateTimeOffset(dt, offset.Value).ToUniversalTime();
        }
        throw new VerificationException(
            $"{source}: {field} '{value}' is not a date like 'Sat, 10 Jun 2023 08:50:56 UTC'; the repository is broken");
    }
}
