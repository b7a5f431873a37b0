using Bootstrapper.Core.Customization;
using Bootstrapper.Core.Errors;
using Bootstrapper.Engine.Os.Files;

namespace Bootstrapper.Engine.Families.Debian.Customize;

/// <summary>The recipe's time zone and locale, written as the image's tzdata and locales packages write them.</summary>
internal static class CustomizeSystem
{
    /// <summary>
    /// /etc/localtime as tzdata's postinst makes it (an absolute link into /usr/share/zoneinfo), and /etc/timezone
    /// where the installed tzdata keeps one (bookworm's does; trixie's no longer writes it).
    /// </summary>
    public static void SetTimezone(string root, string zone)
    {
        if (!RootFs.IsFile(root, "usr/share/zoneinfo/" + zone))
            throw new RecipeException(
                $"system.timezone \"{zone}\" is not a zone of the image's tzdata (no /usr/share/zoneinfo/{zone}); use a name such as Europe/Berlin or Etc/UTC");
        RootFs.CreateSymlink(root, "etc/localtime", "/usr/share/zoneinfo/" + zone);
        if (RootFs.IsFile(root, "etc/timezone")) RootFs.WriteText(root, "etc/timezone", zone + "\n");
    }

    /// <summary>
    /// The locale line of /etc/locale.gen switched on, as `dpkg-reconfigure locales` does, for locale-gen to
    /// build; false when the locale is built into glibc and nothing needs generating.
    /// </summary>
    public static bool EnableLocale(string root, string locale)
    {
        if (CustomizePlanCheck.IsBuiltInLocale(locale)) return false;
        var lines = RootFs.ReadLines(root, "etc/locale.gen").ToList();
        // locale.gen lists "# en_US.UTF-8 UTF-8"; the locale's name is the first word.
        var index = lines.FindIndex(l => l.TrimStart('#', ' ').Split(' ')[0] == locale);
        if (index < 0)
            throw new RecipeException(
                $"system.locale \"{locale}\" is not in the image's /etc/locale.gen; use a name listed there, such as en_US.UTF-8");
        lines[index] = lines[index].TrimStart('#', ' ');
        RootFs.WriteText(root, "etc/locale.gen", string.Join('\n', lines) + "\n");
        return true;
    }

    /// <summary>/etc/default/locale as update-locale writes it.</summary>
    public static void WriteDefaultLocale(string root, string locale) =>
        RootFs.WriteText(root, "etc/default/locale", $"LANG={locale}\n");
}
