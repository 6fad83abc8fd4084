using System.Globalization;

namespace SafeDiffusion.Prompts.Writer;

/// <summary>
/// The GBNF grammar that constrains every answer to a JSON array of exactly K strings, each of bounded length.
/// String characters exclude the quote, the backslash and control characters, so no escape sequence can occur
/// and every finished answer parses as JSON; the length bounds make every answer finite.
/// </summary>
public static class PromptArrayGrammar
{
    public const string RootRule = "root";

    public static string Build(int count, int minChars, int maxChars)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(minChars, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChars, minChars);
        var inv = CultureInfo.InvariantCulture;
        var rest = count > 1 ? $" (\",\" ws item){{{(count - 1).ToString(inv)}}}" : "";
        return
            $"{RootRule} ::= \"[\" ws item{rest} ws \"]\"\n" +
            $"item ::= \"\\\"\" char{{{minChars.ToString(inv)},{maxChars.ToString(inv)}}} \"\\\"\"\n" +
            "char ::= [^\"\\\\\\x00-\\x1F\\x7F]\n" +
            "ws ::= \" \"?\n";
    }

    /// <summary>The longest answer the grammar admits, in characters.</summary>
    public static int MaxAnswerChars(int count, int maxChars) => 2 + 2 + count * (maxChars + 2) + (count - 1) * 2;
}
