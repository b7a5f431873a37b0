using System.Reflection;

namespace Bootstrapper.Tests.Conventions;

/// <summary>
/// One naming style for tests: a sentence with underscores that says what holds
/// (A_locked_build_exits_2_and_writes_nothing), not PascalCase or Subject_Predicate (scripts/rename-tests.sh).
/// </summary>
public sealed class TestNamingTests
{
    [Fact]
    public void Every_test_name_is_a_sentence_with_underscores()
    {
        var offenders = typeof(TestNamingTests).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => m.GetCustomAttributes<FactAttribute>().Any())
            .Where(m => !IsSentence(m.Name))
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}")
            .Order(StringComparer.Ordinal).ToList();

        Assert.True(offenders.Count == 0, "not sentences with underscores:\n" + string.Join("\n", offenders));
    }

    /// <summary>Words joined by underscores, the first capitalised, and at least one plain lower-case word after it;
    /// names and acronyms keep their case (Tampered_InRelease_is_a_BAD_signature).</summary>
    private static bool IsSentence(string name)
    {
        var words = name.Split('_');
        return words.Length > 1 && char.IsUpper(name[0])
            && words.Skip(1).Any(w => w.Length > 0 && w.All(c => char.IsLower(c) || char.IsDigit(c)));
    }
}
