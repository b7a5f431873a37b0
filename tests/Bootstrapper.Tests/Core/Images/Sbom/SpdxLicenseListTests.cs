using System.Text.Json;
using Bootstrapper.Core.Debian.Copyright;
using Bootstrapper.Core.Images.Sbom;

namespace Bootstrapper.Tests.Core.Images.Sbom;

/// <summary>
/// Checks licence ids against the official SPDX licence and exception lists, as Debian ships them in the
/// node-spdx-license-ids and node-spdx-exceptions packages (bookworm: licence list 3.0.12, exceptions 2.3.0).
/// </summary>
public class SpdxLicenseListTests
{
    private const string LicenseIds = "/usr/share/nodejs/spdx-license-ids/index.json";
    private const string DeprecatedIds = "/usr/share/nodejs/spdx-license-ids/deprecated.json";
    private const string ExceptionIds = "/usr/share/nodejs/spdx-exceptions/index.json";

    private static HashSet<string> Load(params string[] paths)
    {
        foreach (var path in paths)
            Assert.True(File.Exists(path), $"{path} is missing: install the Debian packages node-spdx-license-ids and node-spdx-exceptions");
        return paths.SelectMany(p => JsonSerializer.Deserialize<string[]>(File.ReadAllText(p))!)
            .ToHashSet(StringComparer.OrdinalIgnoreCase); // SPDX ids match case-insensitively (Annex D)
    }

    /// <summary>Ids of an expression that are neither on the lists nor LicenseRefs.</summary>
    private static IEnumerable<string> Unlisted(string expression, HashSet<string> licenses, HashSet<string> exceptions)
    {
        var tokens = expression.Replace("(", " ").Replace(")", " ").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < tokens.Length; i++)
        {
            var t = tokens[i];
            if (t is "AND" or "OR" or "WITH" or "NOASSERTION" or "NONE" || t.StartsWith(SpdxLicense.RefPrefix)) continue;
            var afterWith = i > 0 && tokens[i - 1] == "WITH";
            if (afterWith ? !exceptions.Contains(t) : !licenses.Contains(t.TrimEnd('+'))) yield return t;
        }
    }

    [Fact]
    public void Every_id_the_dep5_tables_produce_is_on_the_spdx_lists()
    {
        var licenses = Load(LicenseIds);
        var exceptions = Load(ExceptionIds);
        var expressions = Dep5Copyright.TableExpressions.ToList();
        // The GNU family is computed, not tabled: every combination the mapping accepts.
        foreach (var family in new[] { "GPL", "LGPL", "AGPL", "GFDL", "GFDL-NIV" })
            foreach (var version in new[] { "1", "1.1", "1.2", "1.3", "2", "2.1", "3" })
                foreach (var later in new[] { "", "+" })
                    if (Dep5Copyright.ToSpdx($"{family}-{version}{later}") is { } spdx) expressions.Add(spdx);
        Assert.True(expressions.Count > 60);
        Assert.Empty(expressions.SelectMany(e => Unlisted(e, licenses, exceptions)));
    }

    [Fact]
    public void Every_licence_mapped_from_the_hosts_copyright_files_is_listed()
    {
        var licenses = Load(LicenseIds, DeprecatedIds);
        var exceptions = Load(ExceptionIds);
        var mapped = Directory.EnumerateDirectories("/usr/share/doc")
            .Select(d => Path.Combine(d, "copyright"))
            .Where(File.Exists)
            .Select(f => Dep5Copyright.TryGetLicense(File.ReadAllText(f)))
            .OfType<string>()
            .ToList();
        Assert.NotEmpty(mapped);
        Assert.Empty(mapped.SelectMany(e => Unlisted(e, licenses, exceptions)).Distinct());
    }

    [Fact]
    public void The_check_itself_catches_an_unlisted_id()
    {
        var licenses = Load(LicenseIds);
        var exceptions = Load(ExceptionIds);
        Assert.Equal(["GPL-2.0-or-latr", "OpenSSL-exception"],
            Unlisted("(GPL-2.0-or-latr OR MIT) AND GPL-2.0-only WITH OpenSSL-exception AND LicenseRef-x", licenses, exceptions));
    }
}
