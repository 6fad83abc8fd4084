using System.Text;
using System.Text.RegularExpressions;

namespace SafeDiffusion.Diffusion.Tokenization;

/// <summary>
/// The prompt clean-up of openai/CLIP's tokenizer: <c>ftfy.fix_text</c>, <c>html.unescape</c> twice, strip,
/// whitespace runs to one space, lower-case.
/// </summary>
/// <remarks>
/// Of ftfy's fixes this ports the deterministic ones, in ftfy's order and repeated to a fixed point as ftfy does:
/// C1 controls as Windows-1252, Latin ligatures, full/half-width forms, curly quotes, line breaks, lone surrogates,
/// terminal escapes, control characters. Not ported: mojibake repair (<c>fix_encoding</c>, a statistical heuristic),
/// ftfy's own HTML unescaping (the two later passes cover ordinary entities), and NFC normalisation (unavailable
/// under the invariant globalisation mode this project builds with), so text with decomposed accents or mojibake can
/// tokenize differently from the reference. Lower-casing follows Python's <c>str.lower</c> except for the final-sigma
/// rule (a Greek word-final capital sigma becomes σ here, ς in Python).
/// </remarks>
public static partial class ClipTextCleaner
{
    [GeneratedRegex("\u001B\\[((?:\\d|;)*)([a-zA-Z])", RegexOptions.CultureInvariant)]
    private static partial Regex TerminalEscape();

    /// <summary>NFKC forms of U+FF01..U+FFEF (ftfy's width map), '\0' where the character stays.</summary>
    private const string WidthForms =
        "\u0021\u0022\u0023\u0024\u0025\u0026\u0027\u0028\u0029\u002A\u002B\u002C\u002D\u002E\u002F\u0030" +
        "\u0031\u0032\u0033\u0034\u0035\u0036\u0037\u0038\u0039\u003A\u003B\u003C\u003D\u003E\u003F\u0040" +
        "\u0041\u0042\u0043\u0044\u0045\u0046\u0047\u0048\u0049\u004A\u004B\u004C\u004D\u004E\u004F\u0050" +
        "\u0051\u0052\u0053\u0054\u0055\u0056\u0057\u0058\u0059\u005A\u005B\u005C\u005D\u005E\u005F\u0060" +
        "\u0061\u0062\u0063\u0064\u0065\u0066\u0067\u0068\u0069\u006A\u006B\u006C\u006D\u006E\u006F\u0070" +
        "\u0071\u0072\u0073\u0074\u0075\u0076\u0077\u0078\u0079\u007A\u007B\u007C\u007D\u007E\u2985\u2986" +
        "\u3002\u300C\u300D\u3001\u30FB\u30F2\u30A1\u30A3\u30A5\u30A7\u30A9\u30E3\u30E5\u30E7\u30C3\u30FC" +
        "\u30A2\u30A4\u30A6\u30A8\u30AA\u30AB\u30AD\u30AF\u30B1\u30B3\u30B5\u30B7\u30B9\u30BB\u30BD\u30BF" +
        "\u30C1\u30C4\u30C6\u30C8\u30CA\u30CB\u30CC\u30CD\u30CE\u30CF\u30D2\u30D5\u30D8\u30DB\u30DE\u30DF" +
        "\u30E0\u30E1\u30E2\u30E4\u30E6\u30E8\u30E9\u30EA\u30EB\u30EC\u30ED\u30EF\u30F3\u3099\u309A\u1160" +
        "\u1100\u1101\u11AA\u1102\u11AC\u11AD\u1103\u1104\u1105\u11B0\u11B1\u11B2\u11B3\u11B4\u11B5\u111A" +
        "\u1106\u1107\u1108\u1121\u1109\u110A\u110B\u110C\u110D\u110E\u110F\u1110\u1111\u1112\0\0" +
        "\0\u1161\u1162\u1163\u1164\u1165\u1166\0\0\u1167\u1168\u1169\u116A\u116B\u116C\0" +
        "\0\u116D\u116E\u116F\u1170\u1171\u1172\0\0\u1173\u1174\u1175\0\0\0\u00A2" +
        "\u00A3\u00AC\0\u00A6\u00A5\u20A9\0\u2502\u2190\u2191\u2192\u2193\u25A0\u25CB\0";

    public static string Clean(string text)
    {
        text = FixText(text);
        text = PythonHtmlUnescape.Unescape(PythonHtmlUnescape.Unescape(text));
        text = CollapseWhitespace(text);
        return Lower(text);
    }

    /// <summary>The ported subset of <c>ftfy.fix_text</c>.</summary>
    public static string FixText(string text)
    {
        // Every fix only removes or replaces, so the loop ends; ftfy iterates the same way.
        for (int round = 0; round < 16; round++)
        {
            var fixedText = RemoveControlChars(TerminalEscape().Replace(FixSurrogates(FixLineBreaks(
                UncurlQuotes(FixCharacterWidth(FixLatinLigatures(FixC1Controls(text)))))), ""));
            if (fixedText == text) break;
            text = fixedText;
        }
        return text;
    }

    private static string FixC1Controls(string text)
    {
        if (!text.Any(c => c is >= '\u0080' and <= '\u009F')) return text;
        var sb = new StringBuilder(text.Length);
        foreach (var c in text) sb.Append(c is >= '\u0080' and <= '\u009F' ? PythonHtmlUnescape.Windows1252C1[c - 0x80] : c);
        return sb.ToString();
    }

    private static string FixLatinLigatures(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            sb.Append(c switch
            {
                '\u0132' => "IJ", '\u0133' => "ij", '\u0149' => "\u02BCn",
                '\u01F1' => "DZ", '\u01F2' => "Dz", '\u01F3' => "dz",
                '\u01C4' => "D\u017D", '\u01C5' => "D\u017E", '\u01C6' => "d\u017E",
                '\u01C7' => "LJ", '\u01C8' => "Lj", '\u01C9' => "lj",
                '\u01CA' => "NJ", '\u01CB' => "Nj", '\u01CC' => "nj",
                '\uFB00' => "ff", '\uFB01' => "fi", '\uFB02' => "fl", '\uFB03' => "ffi", '\uFB04' => "ffl",
                '\uFB05' => "\u017Ft", '\uFB06' => "st",
                _ => null,
            } ?? c.ToString());
        }
        return sb.ToString();
    }

    private static string FixCharacterWidth(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c == '\u3000') sb.Append(' ');
            else if (c == '\uFFE3') sb.Append(" \u0304");
            else if (c is >= '\uFF01' and <= '\uFFEF' && WidthForms[c - 0xFF01] != '\0') sb.Append(WidthForms[c - 0xFF01]);
            else sb.Append(c);
        }
        return sb.ToString();
    }

    private static string UncurlQuotes(string text)
    {
        var chars = text.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            chars[i] = chars[i] switch
            {
                '\u02BC' or (>= '\u2018' and <= '\u201B') => '\'',
                >= '\u201C' and <= '\u201F' => '"',
                var c => c,
            };
        }
        return new string(chars);
    }

    private static string FixLineBreaks(string text) =>
        text.Replace("\r\n", "\n").Replace('\r', '\n').Replace('\u2028', '\n').Replace('\u2029', '\n').Replace('\u0085', '\n');

    private static string FixSurrogates(string text)
    {
        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                sb.Append(c).Append(text[++i]);
            }
            else sb.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
        }
        return sb.ToString();
    }

    private static string RemoveControlChars(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            bool control = c is <= '\u0008' or '\u000B' or (>= '\u000E' and <= '\u001F') or '\u007F'
                or (>= '\u206A' and <= '\u206F') or '\uFEFF' or (>= '\uFFF9' and <= '\uFFFC');
            if (!control) sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>Python's <c>str.isspace</c>, which is what <c>\s</c> means in the reference's regexes.</summary>
    public static bool IsPythonSpace(int codePoint) => codePoint switch
    {
        >= 0x09 and <= 0x0D or >= 0x1C and <= 0x20 or 0x85 or 0xA0 or 0x1680 or >= 0x2000 and <= 0x200A
            or 0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000 => true,
        _ => false,
    };

    private static string CollapseWhitespace(string text)
    {
        var sb = new StringBuilder(text.Length);
        bool pendingSpace = false;
        foreach (var c in text)
        {
            if (IsPythonSpace(c))
            {
                pendingSpace = true;
                continue;
            }
            if (pendingSpace && sb.Length > 0) sb.Append(' ');
            pendingSpace = false;
            sb.Append(c);
        }
        return sb.ToString();
    }

    private static string Lower(string text)
    {
        // Python lower-cases U+0130 to "i" + COMBINING DOT ABOVE; .NET's invariant mapping leaves it alone.
        if (text.Contains('\u0130')) text = text.Replace("\u0130", "i\u0307");
        return text.ToLowerInvariant();
    }
}
