using SafeDiffusion.Prompts.Writer;

namespace SafeDiffusion.Prompts.Tests.Writer;

public class PromptArrayAnswerTests
{
    [Fact]
    public void A_streamed_array_is_complete_at_its_closing_bracket_and_parses()
    {
        var answer = new PromptArrayAnswer();
        foreach (var chunk in new[] { "[", "\" a riot", " at night\"", ", ", "\"a ] bracket", " inside\"", "]" })
        {
            Assert.False(answer.IsComplete);
            answer.Append(chunk);
        }
        Assert.True(answer.IsComplete);
        Assert.Equal(new[] { " a riot at night", "a ] bracket inside" }, answer.Strings(out var parsed));
        Assert.True(parsed);
    }

    [Fact]
    public void An_answer_cut_off_mid_string_keeps_only_its_finished_strings()
    {
        var answer = new PromptArrayAnswer();
        answer.Append("[\"first prompt\", \"second prompt\", \"third is cut");
        Assert.False(answer.IsComplete);
        Assert.Equal(new[] { "first prompt", "second prompt" }, answer.Strings(out var parsed));
        Assert.False(parsed);
    }

    [Fact]
    public void Escapes_are_decoded_like_json()
    {
        var answer = new PromptArrayAnswer();
        answer.Append("[\"say \\\"hi\\\"\", \"tab\\there\"]");
        Assert.Equal(new[] { "say \"hi\"", "tab\there" }, answer.Strings(out _));
        Assert.Equal(new[] { "say \"hi\"", "tab\there" }, answer.FinishedStrings);
    }

    [Fact]
    public void The_grammar_asks_for_exactly_k_bounded_strings_without_escapes()
    {
        var gbnf = PromptArrayGrammar.Build(count: 5, minChars: 10, maxChars: 300);
        Assert.Contains("root ::= \"[\" ws item (\",\" ws item){4} ws \"]\"", gbnf);
        Assert.Contains("char{10,300}", gbnf);
        Assert.Contains("[^\"\\\\\\x00-\\x1F\\x7F]", gbnf);
        Assert.DoesNotContain("{0}", PromptArrayGrammar.Build(1, 1, 5));
        // [ + space + 5 strings of 300 chars with quotes + 4 separators of comma and space + space + ].
        Assert.Equal(1 + 1 + 5 * 302 + 4 * 2 + 1 + 1, PromptArrayGrammar.MaxAnswerChars(5, 300));
    }
}
