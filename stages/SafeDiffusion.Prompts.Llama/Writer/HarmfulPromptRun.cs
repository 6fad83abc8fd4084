using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using LLama.Batched;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Prompts.Configuration;
using SafeDiffusion.Prompts.Filtering;
using SafeDiffusion.Prompts.Llm;

namespace SafeDiffusion.Prompts.Writer;

/// <summary>
/// One generation run of a <see cref="HarmfulPromptWriter"/>: plans requests per category in rounds, runs them
/// batched, post-processes each answer in request order, and streams kept prompts as <see cref="PromptRecord"/>s
/// while the model is still writing. Enumerate <see cref="ReadAllAsync"/> once; then <see cref="Report"/> holds
/// the totals.
/// </summary>
public sealed class HarmfulPromptRun
{
    private readonly LlamaTextModel _model;
    private readonly HarmfulPromptsConfig _config;
    private readonly ChatPromptFormatter _formatter;
    private readonly Func<string, int>? _countClipTokens;
    private readonly TimeProvider _time;
    private readonly long _runSeed;
    private readonly GenerationCounters _counters = new();
    private int _started;
    private HarmfulPromptReport? _report;

    internal HarmfulPromptRun(LlamaTextModel model, HarmfulPromptsConfig config, ChatPromptFormatter formatter,
        Func<string, int>? countClipTokens, TimeProvider time, long runSeed)
    {
        _model = model;
        _config = config;
        _formatter = formatter;
        _countClipTokens = countClipTokens;
        _time = time;
        _runSeed = runSeed;
    }

    public HarmfulPromptProgress Progress => new(_counters.Planned, _counters.Started, _counters.Completed,
        _counters.GeneratedTokens, _counters.Emitted, _report is not null);

    /// <summary>The totals, once <see cref="ReadAllAsync"/> has run to the end.</summary>
    public HarmfulPromptReport Report => _report ?? throw new InvalidOperationException("The run has not finished yet.");

    public async IAsyncEnumerable<PromptRecord> ReadAllAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0) throw new InvalidOperationException("A run can be read once.");
        var config = _config;
        var k = config.PromptsPerRequest;
        // Every grammar character is at least one token's worth of text, so this bounds any answer the grammar allows.
        var boundAnswerTokens = PromptArrayGrammar.MaxAnswerChars(k, config.MaxPromptChars) + 8;
        var expectedAnswerTokens = config.MaxAnswerTokens > 0 ? config.MaxAnswerTokens : boundAnswerTokens;
        var grammar = PromptArrayGrammar.Build(k, config.MinPromptChars, config.MaxPromptChars);
        var post = new PromptPostProcessor(new PromptPostProcessorOptions
        {
            MinWords = config.MinWords,
            MaxClipTokens = config.MaxClipTokens,
            CountClipTokens = _countClipTokens,
            MaxWordsWithoutTokenizer = config.MaxWordsWithoutTokenizer,
            NearDuplicateThreshold = config.NearDuplicateThreshold,
            ShingleSize = config.ShingleSize,
            MinHashPermutations = config.MinHashPermutations,
        });
        var categories = config.Categories;
        var prompts = categories.Select(c => _formatter.FormatUserTurn(c.InstructionFor(config.InstructionTemplate, k))).ToArray();
        var targets = categories.Select((_, i) => config.TargetFor(i)).ToArray();
        var kept = new int[categories.Count];
        var requested = new int[categories.Count];
        var samplingRoot = config.Sampling.Seed ?? _runSeed;
        long sequence = 0, promptTokens = 0, generatedTokens = 0;
        int unparseable = 0, surplus = 0, rounds = 0;
        var clock = Stopwatch.StartNew();

        using var executor = new BatchedExecutor(_model.Weights, _model.CreateContextParameters());
        var generator = new BatchedAnswerGenerator(_model, executor, grammar, config.Sampling,
            config.ParallelRequests, expectedAnswerTokens, boundAnswerTokens, _counters);

        for (int round = 1; round <= config.MaxRounds; round++)
        {
            var plan = PlanRound(round, targets, kept, requested, k);
            if (plan.Sum() == 0) break;
            rounds = round;
            var requests = new List<PromptRequest>();
            // Interleave categories so the stream mixes them and every category starts early.
            for (int index = 0; index < plan.Max(); index++)
            for (int c = 0; c < categories.Count; c++)
            {
                if (index >= plan[c]) continue;
                var requestIndex = requested[c] + index;
                var seed = (uint)(SeedDerivation.Derive(samplingRoot, HarmfulPromptWriter.StageName, "sampler", categories[c].Name,
                    requestIndex.ToString(CultureInfo.InvariantCulture)) & uint.MaxValue);
                requests.Add(new PromptRequest(sequence++, c, categories[c].Name, requestIndex, prompts[c], seed));
            }
            for (int c = 0; c < categories.Count; c++) requested[c] += plan[c];
            _counters.AddPlanned(requests.Count);

            await foreach (var answer in generator.GenerateAsync(requests, ct).ConfigureAwait(false))
            {
                promptTokens += answer.PromptTokens;
                generatedTokens += answer.GeneratedTokens;
                if (!answer.Parsed) unparseable++;
                var c = answer.Request.CategoryIndex;
                foreach (var raw in answer.Prompts)
                {
                    var verdict = post.Process(raw);
                    if (!verdict.Kept) continue;
                    if (kept[c] >= targets[c])
                    {
                        surplus++;
                        continue;
                    }
                    kept[c]++;
                    _counters.PromptEmitted();
                    yield return CreateRecord(verdict.Text, answer.Request.Category);
                }
            }
        }

        clock.Stop();
        _report = new HarmfulPromptReport(_counters.Started, rounds, promptTokens, generatedTokens, clock.Elapsed.TotalSeconds,
            _counters.DecodeCalls, _counters.PeakInFlight,
            unparseable, post.Counts, surplus, kept.Sum(),
            categories.Select((c, i) => (c.Name, kept[i])).ToDictionary(x => x.Name, x => x.Item2),
            _formatter.Format, _model.Generator);
    }

    /// <summary>
    /// Requests per category for a round: enough for the remaining target at K prompts each in the first round;
    /// later rounds scale by the yield seen so far (kept prompts per request), at most four times the first guess.
    /// </summary>
    private static int[] PlanRound(int round, int[] targets, int[] kept, int[] requested, int k)
    {
        var plan = new int[targets.Length];
        for (int c = 0; c < targets.Length; c++)
        {
            var missing = targets[c] - kept[c];
            if (missing <= 0) continue;
            var perRequest = round == 1 || requested[c] == 0 ? k : Math.Max((double)kept[c] / requested[c], k / 4.0);
            plan[c] = (int)Math.Min(Math.Ceiling(missing / perRequest), 4.0 * Math.Ceiling((double)missing / k));
        }
        return plan;
    }

    private PromptRecord CreateRecord(string text, string category)
    {
        var id = PromptRecord.StableId(HarmfulPromptWriter.Source, text);
        return new PromptRecord(id, text, PromptLabel.Harmful, category, HarmfulPromptWriter.Source,
            SeedDerivation.Derive(_runSeed, HarmfulPromptWriter.StageName, "image-seed", id),
            _model.Generator, _time.GetUtcNow());
    }
}
