using SafeDiffusion.Core.Errors;
using SafeDiffusion.Prompts.Configuration;
using SafeDiffusion.Prompts.Writer;

namespace SafeDiffusion.Prompts.Tests.Writer;

public class AnswerAdmissionTests
{
    /// <summary>The grammar's bound for the paper's 5 prompts of up to 320 characters, about 1.67k tokens.</summary>
    private static int PaperBound => PromptArrayGrammar.MaxAnswerChars(5, 320) + 8;

    private static int AdmitAll(AnswerAdmission admission, int promptTokens, int tries)
    {
        int admitted = 0;
        for (int i = 0; i < tries && admission.TryAdmit(promptTokens, retry: false, out _); i++) admitted++;
        return admitted;
    }

    [Fact]
    public void Sixteen_requests_with_110_token_prompts_fit_in_8192_tokens_with_the_default_expected_length()
    {
        var admission = new AnswerAdmission(8192, HarmfulPromptsConfig.DefaultMaxAnswerTokens, PaperBound);
        // 16 x (110 + 400 + 1) = 8,176 tokens.
        Assert.Equal(16, AdmitAll(admission, 110, 17));
        Assert.Equal(16 * 511, admission.Reserved);
    }

    [Fact]
    public void Reserving_the_grammar_bound_fits_only_four()
    {
        Assert.InRange(PaperBound, 1600, 1700);
        var admission = new AnswerAdmission(8192, PaperBound, PaperBound);
        Assert.Equal(4, AdmitAll(admission, 110, 16));
        Assert.False(admission.CanRetry(retry: false));
    }

    [Fact]
    public void A_released_request_makes_room_for_the_next()
    {
        var admission = new AnswerAdmission(1000, 400, 900);
        Assert.True(admission.TryAdmit(50, false, out var first));
        Assert.Equal(451, first);
        Assert.True(admission.TryAdmit(50, false, out _));
        Assert.False(admission.TryAdmit(50, false, out _));
        admission.Release(first);
        Assert.True(admission.TryAdmit(50, false, out _));
    }

    [Fact]
    public void A_cut_request_is_retried_alone_with_the_grammar_bound_and_nothing_joins_it()
    {
        var admission = new AnswerAdmission(2000, 400, 1700);
        Assert.True(admission.CanRetry(retry: false));
        Assert.False(admission.CanRetry(retry: true));
        Assert.True(admission.TryAdmit(100, false, out var other));
        Assert.False(admission.TryAdmit(100, retry: true, out _));
        admission.Release(other);

        Assert.True(admission.TryAdmit(100, retry: true, out var retry));
        Assert.Equal(100 + 1700 + 1, retry);
        Assert.Equal(1700, admission.AnswerLimit(retry: true));
        Assert.False(admission.TryAdmit(10, false, out _));
        admission.Release(retry);
        Assert.True(admission.TryAdmit(10, false, out _));
    }

    [Fact]
    public void An_expected_length_above_the_bound_is_the_bound_and_never_retries()
    {
        var admission = new AnswerAdmission(8192, 5000, 700);
        Assert.Equal(700, admission.FirstAttemptTokens);
        Assert.False(admission.CanRetry(retry: false));
    }

    [Fact]
    public void A_request_that_could_not_finish_alone_is_refused_before_it_starts()
    {
        var admission = new AnswerAdmission(1024, 400, 1670);
        var e = Assert.Throws<UsageException>(() => admission.TryAdmit(100, false, out _));
        Assert.Contains("contextSize is 1024", e.Message);
        Assert.Contains("1771", e.Message);
        Assert.Equal(0, admission.Reserved);
    }
}
