using Bootstrapper.Core.Errors;

namespace Bootstrapper.Core.Customization;

/// <summary>
/// What the settings need from the package set, checked on the plan so a missing package stops the build before
/// anything is downloaded.
/// </summary>
internal static class CustomizePlanCheck
{
    /// <summary>Locales every glibc system has without the locales package.</summary>
    public static bool IsBuiltInLocale(string locale) => locale is "C" or "POSIX" or "C.UTF-8" or "C.utf8";

    public static void Check(CustomizationSteps c, IEnumerable<string> packageNames)
    {
        var names = packageNames.ToHashSet(StringComparer.Ordinal);
        if (c.Timezone is { } zone && !names.Contains("tzdata"))
            throw new RecipeException(
                $"system.timezone \"{zone}\" needs the time zone data, which the package set does not contain: add \"tzdata\" to packages.include");
        if (c.Locale is { } locale && !IsBuiltInLocale(locale) && !names.Contains("locales"))
            throw new RecipeException(
                $"system.locale \"{locale}\" must be generated, and the package set has no locales package: add \"locales\" to " +
                "packages.include (or use C.UTF-8, which every image has)");
    }
}
