using System.Collections.Frozen;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace SafeDiffusion.Diffusion.Tokenization;

/// <summary>
/// Python's <c>html.unescape</c>, which openai/CLIP applies to every prompt: numeric references with the HTML5
/// replacements (Windows-1252 for 0x80-0x9F, U+FFFD for surrogates and out-of-range values, nothing for
/// non-characters), named references with or without the semicolon for the legacy names.
/// </summary>
/// <remarks>
/// Named references are resolved through <see cref="WebUtility.HtmlDecode(string)"/>, which knows the HTML 4 set;
/// names that only HTML5 added (e.g. <c>&amp;bigstar;</c>) are left as written, where Python would decode them.
/// </remarks>
public static partial class PythonHtmlUnescape
{
    [GeneratedRegex(@"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)", RegexOptions.CultureInvariant)]
    private static partial Regex CharRef();

    /// <summary>Windows-1252 for the C1 range, as the HTML5 spec and Python map numeric references there.</summary>
    internal const string Windows1252C1 =
        "\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F" +
        "\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178";

    // The names HTML5 still accepts without a terminating semicolon (the HTML 4 Latin-1 set and friends).
    private static readonly string[] LegacyNames =
    [
        "AElig", "AMP", "Aacute", "Acirc", "Agrave", "Aring", "Atilde", "Auml", "COPY", "Ccedil", "ETH", "Eacute",
        "Ecirc", "Egrave", "Euml", "GT", "Iacute", "Icirc", "Igrave", "Iuml", "LT", "Ntilde", "Oacute", "Ocirc",
        "Ograve", "Oslash", "Otilde", "Ouml", "QUOT", "REG", "THORN", "Uacute", "Ucirc", "Ugrave", "Uuml", "Yacute",
        "aacute", "acirc", "acute", "aelig", "agrave", "amp", "aring", "atilde", "auml", "brvbar", "ccedil", "cedil",
        "cent", "copy", "curren", "deg", "divide", "eacute", "ecirc", "egrave", "eth", "euml", "frac12", "frac14",
        "frac34", "gt", "iacute", "icirc", "iexcl", "igrave", "iquest", "iuml", "laquo", "lt", "macr", "micro",
        "middot", "nbsp", "not", "ntilde", "oacute", "ocirc", "ograve", "ordf", "ordm", "oslash", "otilde", "ouml",
        "para", "plusmn", "pound", "quot", "raquo", "reg", "sect", "shy", "sup1", "sup2", "sup3", "szlig", "thorn",
        "times", "uacute", "ucirc", "ugrave", "uml", "uuml", "yacute", "yen", "yuml",
    ];

    private static readonly FrozenDictionary<string, string> Legacy = LegacyNames.ToFrozenDictionary(
        n => n,
        n => n switch
        {
            "AMP" => "&", "COPY" => "\u00A9", "GT" => ">", "LT" => "<", "QUOT" => "\"", "REG" => "\u00AE",
            _ => WebUtility.HtmlDecode("&" + n + ";"),
        },
        StringComparer.Ordinal);

    public static string Unescape(string text) =>
        text.Contains('&') ? CharRef().Replace(text, m => Replace(m.Groups[1].Value)) : text;

    private static string Replace(string s)
    {
        if (s[0] == '#') return Numeric(s);
        if (s.EndsWith(';'))
        {
            var decoded = WebUtility.HtmlDecode("&" + s);
            if (decoded != "&" + s) return decoded;
        }
        else if (Legacy.TryGetValue(s, out var whole))
        {
            return whole;
        }
        // Longest legacy name that prefixes the reference: "&notit" is "¬it".
        for (int x = s.Length - 1; x > 1; x--)
            if (Legacy.TryGetValue(s[..x], out var prefix)) return prefix + s[x..];
        return "&" + s;
    }

    private static string Numeric(string s)
    {
        var hex = s[1] is 'x' or 'X';
        var digits = s[(hex ? 2 : 1)..].TrimEnd(';');
        var ok = hex
            ? long.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var num)
            : long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out num);
        if (!ok) return "\uFFFD"; // too many digits: certainly beyond U+10FFFF
        switch (num)
        {
            case 0x00: return "\uFFFD";
            case 0x0D: return "\r";
            case >= 0x80 and <= 0x9F: return Windows1252C1[(int)num - 0x80].ToString();
            case >= 0xD800 and <= 0xDFFF or > 0x10FFFF: return "\uFFFD";
        }
        if (IsInvalidCodePoint(num)) return "";
        return new Rune((int)num).ToString();
    }

    private static bool IsInvalidCodePoint(long n) =>
        n is >= 0x01 and <= 0x08 or 0x0B or >= 0x0E and <= 0x1F or 0x7F or >= 0xFDD0 and <= 0xFDEF
        || (n & 0xFFFE) == 0xFFFE;
}
