using System.Text;
using Bootstrapper.Core.Debian.Copyright;

namespace Bootstrapper.Core.Images.Sbom;

/// <summary>
/// SPDX licence expressions (SPDX 2.3 Annex D): parsing enough to tell whether a declared licence may go into an SBOM
/// as it is, and turning anything else into a <c>LicenseRef-</c> so that the document stays valid.
/// </summary>
/// <remarks>
/// Grammar: <c>idstring = 1*(ALPHA / DIGIT / "-" / ".")</c>; a simple expression is an idstring, an idstring
/// followed by "+", or <c>["DocumentRef-" idstring ":"] "LicenseRef-" idstring</c>; compound expressions combine
/// them with WITH (an exception id), AND, OR and parentheses, binding in that order. Annex D asks for the operators
/// in upper case; Debian and Alpine metadata often write them in lower case, so those are accepted and upper-cased.
/// Whether an id is on the SPDX licence list is not checked here (that list changes every quarter); the producers
/// (<see cref="Dep5Copyright"/>, Alpine's index) only emit listed ids or LicenseRefs.
/// </remarks>
internal static class SpdxLicense
{
    public const string NoAssertion = "NOASSERTION";
    public const string None = "NONE";
    public const string RefPrefix = "LicenseRef-";

    /// <summary>
    /// The expression to write in an SBOM: <paramref name="declared"/> normalised when it is a valid expression,
    /// NOASSERTION when there is none, otherwise a LicenseRef made of its characters ("GPL with exceptions" becomes
    /// "LicenseRef-GPL-with-exceptions").
    /// </summary>
    public static string Sanitize(string? declared)
    {
        if (string.IsNullOrWhiteSpace(declared)) return NoAssertion;
        if (TryNormalize(declared, out var normalized)) return normalized;
        var id = ToIdString(declared);
        return id.Length == 0 ? NoAssertion : RefPrefix + id;
    }

    /// <summary>Whether <paramref name="expression"/> is a valid SPDX licence expression (or NONE / NOASSERTION),
    /// and its normal form: operators upper case, single spaces, parentheses kept.</summary>
    public static bool TryNormalize(string expression, out string normalized)
    {
        normalized = "";
        var tokens = Tokenize(expression);
        if (tokens.Count == 1 && tokens[0] is NoAssertion or None)
        {
            normalized = tokens[0];
            return true;
        }
        var parser = new Parser(tokens);
        if (!parser.Or() || parser.Position != tokens.Count) return false;
        normalized = parser.Output.ToString();
        return true;
    }

    /// <summary>The LicenseRef-... ids an expression uses (without any DocumentRef- prefix), in order of appearance.</summary>
    public static IEnumerable<string> LicenseRefs(string expression) =>
        Tokenize(expression).Where(t => t.StartsWith(RefPrefix, StringComparison.Ordinal)).Distinct();

    /// <summary>The characters an idstring may hold; runs of anything else become one '-'.</summary>
    public static string ToIdString(string text)
    {
        var id = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (IsIdChar(c)) id.Append(c);
            else if (id.Length > 0 && id[^1] != '-') id.Append('-');
        }
        return id.ToString().Trim('-');
    }

    public static bool IsIdString(string text) => text.Length > 0 && text.All(IsIdChar);

    private static bool IsIdChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '.';

    private static List<string> Tokenize(string expression)
    {
        var tokens = new List<string>();
        var word = new StringBuilder();
        void Flush()
        {
            if (word.Length > 0) tokens.Add(word.ToString());
            word.Clear();
        }
        foreach (var c in expression)
        {
            if (char.IsWhiteSpace(c)) Flush();
            else if (c is '(' or ')')
            {
                Flush();
                tokens.Add(c.ToString());
            }
            else word.Append(c);
        }
        Flush();
        return tokens;
    }

    /// <summary>Recursive descent over the tokens, writing the normal form as it goes.</summary>
    private sealed class Parser(List<string> tokens)
    {
        public int Position { get; private set; }
        public StringBuilder Output { get; } = new();

        private string? Peek => Position < tokens.Count ? tokens[Position] : null;

        private bool IsOperator(string name) =>
            Peek is { } t && string.Equals(t, name, StringComparison.OrdinalIgnoreCase);

        public bool Or() => Chain("OR", And);

        private bool And() => Chain("AND", With);

        private bool Chain(string op, Func<bool> operand)
        {
            if (!operand()) return false;
            while (IsOperator(op))
            {
                Position++;
                Output.Append(' ').Append(op).Append(' ');
                if (!operand()) return false;
            }
            return true;
        }

        private bool With()
        {
            if (!Primary()) return false;
            if (!IsOperator("WITH")) return true;
            Position++;
            if (Peek is not { } exception || !IsIdString(exception) || IsKeyword(exception)) return false;
            Output.Append(" WITH ").Append(exception);
            Position++;
            return true;
        }

        private bool Primary()
        {
            if (Peek == "(")
            {
                Position++;
                Output.Append('(');
                if (!Or() || Peek != ")") return false;
                Position++;
                Output.Append(')');
                return true;
            }
            if (Peek is not { } token || !IsSimple(token) || IsKeyword(token)) return false;
            Output.Append(token);
            Position++;
            return true;
        }

        private static bool IsKeyword(string token) =>
            token.Equals("AND", StringComparison.OrdinalIgnoreCase) ||
            token.Equals("OR", StringComparison.OrdinalIgnoreCase) ||
            token.Equals("WITH", StringComparison.OrdinalIgnoreCase);

        private static bool IsSimple(string token)
        {
            var colon = token.IndexOf(':');
            if (colon >= 0)
            {
                const string documentRef = "DocumentRef-";
                var document = token[..colon];
                return document.StartsWith(documentRef, StringComparison.Ordinal)
                       && IsIdString(document[documentRef.Length..])
                       && IsRef(token[(colon + 1)..]);
            }
            if (token.StartsWith(RefPrefix, StringComparison.Ordinal)) return IsRef(token);
            // NONE and NOASSERTION are whole-field values, not terms of an expression.
            if (token is NoAssertion or None) return false;
            var id = token.EndsWith('+') ? token[..^1] : token;
            return IsIdString(id);
        }

        private static bool IsRef(string token) =>
            token.StartsWith(RefPrefix, StringComparison.Ordinal) && IsIdString(token[RefPrefix.Length..]);
    }
}
