using SafeDiffusion.Prompts.Filtering;

namespace SafeDiffusion.Prompts.Writer;

/// <summary>
/// The outcome of a finished run: requests, tokens, throughput, the post-processing counts per drop reason,
/// prompts beyond a category's target, and prompts per category. The stage records it in the manifest.
/// </summary>
/// <param name="Unparseable">Answers that were not a complete JSON array (cut off at the token limit); their finished strings were still used.</param>
/// <param name="Surplus">Kept prompts beyond their category's target, not emitted.</param>
/// <param name="GenerationSeconds">Wall time from the first request to the last answer (model loading excluded).</param>
/// <param name="DecodeCalls">llama.cpp decode calls; fewer than generated tokens when requests share batches.</param>
/// <param name="PeakInFlight">Most requests in flight at once.</param>
public sealed record HarmfulPromptReport(
    int Requests,
    int Rounds,
    long PromptTokens,
    long GeneratedTokens,
    double GenerationSeconds,
    long DecodeCalls,
    int PeakInFlight,
    int Unparseable,
    PromptFilterCounts Filtered,
    int Surplus,
    int Emitted,
    IReadOnlyDictionary<string, int> EmittedPerCategory,
    ChatFormat ChatFormat,
    string Generator)
{
    /// <summary>Generated tokens per second across all requests in flight.</summary>
    public double TokensPerSecond => GenerationSeconds > 0 ? GeneratedTokens / GenerationSeconds : 0;

    /// <summary>Emitted (kept) prompts per second.</summary>
    public double PromptsPerSecond => GenerationSeconds > 0 ? Emitted / GenerationSeconds : 0;

    public IReadOnlyDictionary<string, double> ToMetrics()
    {
        var metrics = new Dictionary<string, double>(Filtered.ToMetrics())
        {
            ["requests"] = Requests,
            ["rounds"] = Rounds,
            ["prompt_tokens"] = PromptTokens,
            ["generated_tokens"] = GeneratedTokens,
            ["generation_seconds"] = GenerationSeconds,
            ["decode_calls"] = DecodeCalls,
            ["peak_requests_in_flight"] = PeakInFlight,
            ["tokens_per_second"] = TokensPerSecond,
            ["prompts_per_second"] = PromptsPerSecond,
            ["answers_unparseable"] = Unparseable,
            ["prompts_surplus"] = Surplus,
            ["prompts_emitted"] = Emitted,
        };
        foreach (var (category, count) in EmittedPerCategory) metrics[$"prompts_emitted.{category}"] = count;
        return metrics;
    }
}
