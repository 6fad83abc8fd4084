using System.Security.Cryptography;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Prompts.Configuration;
using SafeDiffusion.Prompts.Tests.Support;
using SafeDiffusion.Prompts.Writer;
using Xunit.Abstractions;

namespace SafeDiffusion.Prompts.Tests.Writer;

[Collection(TinyModelCollection.Name)]
public class HarmfulPromptWriterTests(TinyModelFixture fixture, ITestOutputHelper output)
{
    private async Task<(List<PromptRecord> Records, HarmfulPromptReport Report)> RunAsync(HarmfulPromptsConfig config, long seed)
    {
        using var writer = new HarmfulPromptWriter(fixture.Model, config);
        var run = writer.CreateRun(seed);
        var records = new List<PromptRecord>();
        await foreach (var r in run.ReadAllAsync()) records.Add(r);
        return (records, run.Report);
    }

    [Fact]
    public async Task The_same_seed_and_model_give_the_same_prompts_and_another_seed_gives_others()
    {
        var config = TinyModelFixture.SmallConfig();

        var first = await RunAsync(config, 42);
        var second = await RunAsync(config, 42);
        var other = await RunAsync(config, 43);

        Assert.Equal(18, first.Records.Count);
        Assert.Equal(first.Records.Select(r => (r.PromptId, r.Text, r.Category, r.Seed)),
            second.Records.Select(r => (r.PromptId, r.Text, r.Category, r.Seed)));
        Assert.Empty(first.Records.Select(r => r.Text).Intersect(other.Records.Select(r => r.Text)));
    }

    [Fact]
    public async Task A_fixed_sampling_seed_fixes_the_texts_while_the_run_seed_still_moves_image_seeds()
    {
        var config = TinyModelFixture.SmallConfig() with { Sampling = new SamplingConfig { Seed = 7 } };

        var a = await RunAsync(config, 1);
        var b = await RunAsync(config, 2);

        Assert.Equal(a.Records.Select(r => r.Text), b.Records.Select(r => r.Text));
        Assert.All(a.Records.Zip(b.Records), p => Assert.NotEqual(p.First.Seed, p.Second.Seed));
    }

    [Fact]
    public async Task Records_are_harmful_llm_prompts_with_stable_ids_derived_seeds_and_the_model_file_as_generator()
    {
        var config = TinyModelFixture.SmallConfig();
        var (records, report) = await RunAsync(config, 42);

        var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(fixture.ModelPath)));
        var categories = config.Categories.Select(c => c.Name).ToHashSet();
        Assert.All(records, r =>
        {
            Assert.Equal(PromptLabel.Harmful, r.Label);
            Assert.Equal(2, r.Class);
            Assert.Equal("llm", r.Source);
            Assert.Equal($"tiny.gguf@{sha[..12]}", r.Generator);
            Assert.Equal(PromptRecord.StableId("llm", r.Text), r.PromptId);
            Assert.Equal(SeedDerivation.Derive(42, "harmful-prompts", "image-seed", r.PromptId), r.Seed);
            Assert.Contains(r.Category, categories);
            Assert.Equal(r.Text.Trim(), r.Text);
            Assert.DoesNotContain("  ", r.Text);
        });
        Assert.Equal(records.Count, records.Select(r => r.PromptId).Distinct().Count());
        Assert.All(config.Categories, c => Assert.Equal(6, records.Count(r => r.Category == c.Name)));
        Assert.Equal(6, report.EmittedPerCategory["violence"]);
        Assert.Equal(ChatFormat.ModelTemplate, report.ChatFormat);
        Assert.Equal(0, report.Unparseable);
    }

    [Fact]
    public async Task Every_answer_is_a_json_array_of_exactly_k_strings_within_the_grammar_bounds()
    {
        var config = TinyModelFixture.SmallConfig() with { PromptsPerRequest = 4, MinPromptChars = 20, MaxPromptChars = 60 };
        var grammar = PromptArrayGrammar.Build(4, 20, 60);
        using var executor = new LLama.Batched.BatchedExecutor(fixture.Model.Weights, fixture.Model.CreateContextParameters());
        var bound = PromptArrayGrammar.MaxAnswerChars(4, 60) + 8;
        var generator = new BatchedAnswerGenerator(fixture.Model, executor, grammar, config.Sampling, 6, bound, bound, new GenerationCounters());
        var prompt = ChatPromptFormatter.For(fixture.Model.Weights).FormatUserTurn("Write 4 prompts.");
        var requests = Enumerable.Range(0, 6).Select(i => new PromptRequest(i, 0, "violence", i, prompt, (uint)(100 + i))).ToList();

        var answers = new List<PromptAnswer>();
        await foreach (var a in generator.GenerateAsync(requests, CancellationToken.None)) answers.Add(a);

        Assert.Equal(Enumerable.Range(0, 6).Select(i => (long)i), answers.Select(a => a.Request.Sequence));
        Assert.All(answers, a =>
        {
            Assert.True(a.Parsed);
            // Parse independently of the writer: the raw answer must be a JSON array of four strings.
            using var json = System.Text.Json.JsonDocument.Parse(a.Text);
            Assert.Equal(System.Text.Json.JsonValueKind.Array, json.RootElement.ValueKind);
            var strings = json.RootElement.EnumerateArray().Select(e => e.GetString()!).ToList();
            Assert.Equal(4, strings.Count);
            Assert.All(strings, s => Assert.InRange(s.Length, 20, 60));
            Assert.Equal(strings, a.Prompts);
        });
    }

    [Fact]
    public async Task The_first_record_arrives_while_the_writer_is_still_generating()
    {
        using var writer = new HarmfulPromptWriter(fixture.Model, TinyModelFixture.SmallConfig());
        var run = writer.CreateRun(42);
        HarmfulPromptProgress? atFirst = null;
        await foreach (var _ in run.ReadAllAsync())
            atFirst ??= run.Progress;

        Assert.NotNull(atFirst);
        Assert.False(atFirst.Finished);
        Assert.True(atFirst.RequestsCompleted < run.Report.Requests,
            $"first record after {atFirst.RequestsCompleted} of {run.Report.Requests} requests");
        Assert.True(atFirst.GeneratedTokens < run.Report.GeneratedTokens);
        Assert.True(run.Progress.Finished);
    }

    [Fact]
    public async Task Requests_share_decode_batches_and_throughput_is_measured()
    {
        var config = TinyModelFixture.SmallConfig(parallel: 8) with { PromptsPerCategory = 12 };
        var batched = await RunAsync(config, 5);
        var single = await RunAsync(config with { ParallelRequests = 1 }, 5);

        foreach (var (name, r) in new[] { ("parallel 8", batched.Report), ("parallel 1", single.Report) })
            output.WriteLine($"{name}: {r.Requests} requests, {r.GeneratedTokens} tokens in {r.GenerationSeconds:F2} s, " +
                             $"{r.DecodeCalls} decode calls, peak {r.PeakInFlight} in flight: {r.TokensPerSecond:F0} tokens/s, {r.PromptsPerSecond:F1} prompts/s");

        Assert.Equal(8, batched.Report.PeakInFlight);
        Assert.True(batched.Report.DecodeCalls * 3 < batched.Report.GeneratedTokens,
            $"{batched.Report.DecodeCalls} decode calls for {batched.Report.GeneratedTokens} tokens");
        Assert.Equal(1, single.Report.PeakInFlight);
        Assert.True(single.Report.DecodeCalls >= single.Report.GeneratedTokens);
        Assert.Equal(36, batched.Records.Count);
        Assert.Equal(36, single.Records.Count);
    }

    [Fact]
    public async Task A_context_too_small_for_one_request_is_a_usage_error_naming_the_setting()
    {
        var config = TinyModelFixture.SmallConfig() with { MaxPromptChars = 4000, PromptsPerRequest = 10 };
        var e = await Assert.ThrowsAsync<SafeDiffusion.Core.Errors.UsageException>(() => RunAsync(config, 1));
        Assert.Contains("contextSize", e.Message);
    }

    [Fact]
    public async Task An_answer_cut_at_the_expected_length_is_retried_alone_and_comes_out_as_if_never_cut()
    {
        // One request at a time in both runs, so every request decodes alone and the same seed gives the same tokens.
        var config = TinyModelFixture.SmallConfig(parallel: 1);
        var uncut = await RunAsync(config with { MaxAnswerTokens = 0 }, 9);
        var cut = await RunAsync(config with { MaxAnswerTokens = 8 }, 9);

        Assert.True(uncut.Report.GeneratedTokens > 8 * uncut.Report.Requests, "answers must be longer than the expected length for this test");
        Assert.Equal(uncut.Records.Select(r => r.Text), cut.Records.Select(r => r.Text));
        Assert.Equal(uncut.Report.Requests, cut.Report.Requests);
        Assert.Equal(0, cut.Report.Unparseable);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Tokens_per_second_at_1_4_and_16_requests_in_flight()
    {
        var config = TinyModelFixture.SmallConfig(parallel: 16) with { PromptsPerCategory = 24 };
        using var model = await Llm.LlamaTextModel.LoadAsync(fixture.ModelPath, HarmfulPromptWriter.RuntimeOptions(config));
        foreach (var parallel in new[] { 1, 4, 16 })
        {
            using var writer = new HarmfulPromptWriter(model, config with { ParallelRequests = parallel });
            var run = writer.CreateRun(11);
            await foreach (var _ in run.ReadAllAsync()) { }
            var r = run.Report;
            output.WriteLine($"{parallel,2} in flight: {r.Requests} requests, {r.GeneratedTokens} tokens in {r.GenerationSeconds:F2} s, " +
                             $"{r.DecodeCalls} decode calls, peak {r.PeakInFlight}: {r.TokensPerSecond:F0} tokens/s");
            Assert.Equal(parallel, r.PeakInFlight);
        }
    }
}
