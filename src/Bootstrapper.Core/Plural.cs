namespace Bootstrapper.Core;

/// <summary>"1 package", "2 packages": counts in messages read as English.</summary>
internal static class Plural
{
    public static string Count(long n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";
}
