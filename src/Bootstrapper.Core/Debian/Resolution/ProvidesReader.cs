using System.Text;
using Bootstrapper.Core.Debian.Control;
using Bootstrapper.Core.Debian.Versions;

namespace Bootstrapper.Core.Debian.Resolution;

/// <summary>
/// Reads a Provides field: a list of names, each optionally with "(= version)" (Policy 7.5: no alternatives and no
/// other relation).
/// </summary>
/// <remarks>
/// ~10k stanzas of bookworm carry Provides and every one is needed to index providers, so the common forms
/// ("name", "name (= version)") are read straight from the bytes, with the names shared with the universe's name
/// table; anything else (qualifiers, odd blanks, errors) goes through <see cref="RelationParser"/>, which gives
/// the same result for the common forms.
/// </remarks>
internal static class ProvidesReader
{
    /// <exception cref="FormatException">The field is malformed or breaks Policy 7.5.</exception>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static IReadOnlyList<ProvidedName> Read(ReadOnlySpan<byte> value, PackageNameTable? names) =>
        value.IsEmpty ? [] : TryReadSimple(value, names) ?? ReadGeneral(Encoding.UTF8.GetString(value));

    /// <summary>Null when the value is not a list of plain "name" and "name (= version)" entries.</summary>
    private static ProvidedName[]? TryReadSimple(ReadOnlySpan<byte> value, PackageNameTable? names)
    {
        var result = new ProvidedName[value.Count((byte)',') + 1];
        int count = 0;
        while (true)
        {
            int comma = value.IndexOf((byte)',');
            var entry = (comma < 0 ? value : value[..comma]).Trim((byte)' ');
            if (entry.IsEmpty)
            {
                // A trailing comma is tolerated (as dpkg does); an empty entry elsewhere is an error.
                if (comma < 0 && count > 0) break;
                return null;
            }
            int end = 0;
            while (end < entry.Length && IsNameByte(entry[end])) end++;
            if (end == 0 || !(char.IsAsciiLetterLower((char)entry[0]) || char.IsAsciiDigit((char)entry[0]))) return null;
            var rest = entry[end..].TrimStart((byte)' ');
            DebVersion? version = null;
            if (!rest.IsEmpty)
            {
                if (rest[0] != (byte)'(' || rest[^1] != (byte)')') return null;
                var inner = rest[1..^1].Trim((byte)' ');
                if (inner.Length < 2 || inner[0] != (byte)'=' || inner[1] is (byte)'<' or (byte)'>' or (byte)'=') return null;
                // A parenthesis or blank left inside makes the version invalid, and the general parser explains it.
                if (!DebVersion.TryParse(Encoding.UTF8.GetString(inner[1..].Trim((byte)' ')), out version)) return null;
            }
            result[count++] = new ProvidedName(Name(entry[..end], names), version);
            if (comma < 0) break;
            value = value[(comma + 1)..];
        }
        return count == result.Length ? result : result[..count];
    }

    private static string Name(ReadOnlySpan<byte> name, PackageNameTable? names) =>
        names?.IdOf(name) is >= 0 and var id ? names.NameOf(id) : Encoding.UTF8.GetString(name);

    /// <summary>Policy 5.6.1 name characters: lower-case letters, digits, '+', '-', '.'.</summary>
    private static bool IsNameByte(byte b) =>
        b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9') or (byte)'+' or (byte)'-' or (byte)'.';

    private static ProvidedName[] ReadGeneral(string text)
    {
        var groups = RelationParser.Parse(text);
        if (groups.Count == 0) return [];
        var result = new ProvidedName[groups.Count];
        for (int i = 0; i < groups.Count; i++)
        {
            if (groups[i].Alternatives.Count != 1)
                throw new FormatException($"Provides may not contain alternatives: '{groups[i]}'");
            var r = groups[i].Alternatives[0];
            if (r.Op is { } op && op != VersionRelation.Equal)
                throw new FormatException($"Provides may only use '=' versions: '{r}'");
            result[i] = new ProvidedName(r.Name, r.Version);
        }
        return result;
    }
}
