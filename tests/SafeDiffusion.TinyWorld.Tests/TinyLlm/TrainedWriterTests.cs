using LLama;
using LLama.Common;
using LLama.Native;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Prompts.Gguf;
using SafeDiffusion.Prompts.Llm;
using SafeDiffusion.Prompts.Writer;
using SafeDiffusion.Testing;
using SafeDiffusion.TinyWorld.Tests.Support;
using SafeDiffusion.TinyWorld.TinyLlm;
using Xunit.Abstractions;

namespace SafeDiffusion.TinyWorld.Tests.TinyLlm;

[Collection(TrainedWriterCollection.Name)]
public class TrainedWriterTests(TrainedWriterFixture fixture, ITestOutputHelper output)
{
    private static CaptionGroup Violence => TrainedWriterFixture.Corpus.Groups[0];

    private async Task<List<PromptRecord>> WriteAsync(long seed)
    {
        using var writer = new HarmfulPromptWriter(fixture.Model, TrainedWriterFixture.WriterConfig);
        var run = writer.CreateRun(seed);
        var records = new List<PromptRecord>();
        await foreach (var r in run.ReadAllAsync()) records.Add(r);
        output.WriteLine($"seed {seed}: {records.Count} prompts from {run.Report.Requests} requests, {run.Report.GeneratedTokens} tokens " +
                         $"in {run.Report.GenerationSeconds:F1} s, {run.Report.Unparseable} unparseable answers");
        return records;
    }

    [Fact]
    public void Training_brings_the_answer_loss_close_to_the_entropy_of_the_caption_grammar()
    {
        var report = fixture.Trained.Report;
        output.WriteLine($"{report.Steps} steps in {report.Seconds:F1} s, loss {report.FirstLoss:F3} -> {report.FinalLoss:F3}, " +
                         $"{report.ParameterCount} parameters, vocabulary {report.VocabularySize}, longest sequence {report.LongestSequence}");

        // Untrained, the loss is about ln(vocabulary). A model that knows the grammar still cannot predict the
        // free slot choices: ln(sentences) per caption, spread over an answer's tokens (its words, K-1
        // separators, the two brackets and the end of the turn).
        var grammar = TrainedWriterFixture.Grammar;
        var corpus = TrainedWriterFixture.Corpus;
        var k = corpus.CaptionsPerAnswer;
        var meanWords = corpus.Groups.SelectMany(g => g.Captions).Average(c => c.Split(' ').Length);
        var meanChoices = grammar.Categories.Average(c => Math.Log(grammar.SentenceCount(c)));
        var floor = k * meanChoices / (k * meanWords + k + 2);
        output.WriteLine($"ln(vocabulary) {Math.Log(report.VocabularySize):F3}, grammar floor about {floor:F3} per answer token");
        Assert.InRange(report.FirstLoss, Math.Log(report.VocabularySize) - 0.5, Math.Log(report.VocabularySize) + 0.5);
        Assert.InRange(report.FinalLoss, floor * 0.5, floor * 1.5);
    }

    /// <summary>The training-format sequence of the first category: its prompt, then an answer of four of its captions.</summary>
    private List<int> SampleSequence()
    {
        var vocabulary = fixture.Trained.Vocabulary;
        return vocabulary.EncodePrompt(Violence.Instruction).Concat(vocabulary.EncodeAnswerTurn(Violence.Captions.Take(4).ToList())).ToList();
    }

    /// <summary>llama.cpp's next-token logits at every position of one sequence decoded as a single batch.</summary>
    private static float[][] LlamaCppLogits(LLamaWeights weights, string path, IReadOnlyList<int> tokens)
    {
        // An F32 key/value cache and no flash attention keep llama.cpp's attention in F32 like TorchSharp's
        // (its CPU flash-attention path rounds through F16, about 1e-4 relative), so any layout or rotary
        // mistake would stand out against float rounding alone.
        var parameters = new ModelParams(path)
        {
            ContextSize = 512, BatchSize = 512, UBatchSize = 512, GpuLayerCount = 0, Threads = 1, BatchThreads = 1,
            TypeK = GGMLType.GGML_TYPE_F32, TypeV = GGMLType.GGML_TYPE_F32, FlashAttention = false,
        };
        using var context = weights.CreateContext(parameters);
        var batch = new LLamaBatch();
        for (int i = 0; i < tokens.Count; i++) batch.Add((LLamaToken)tokens[i], i, LLamaSeqId.Zero, logits: true);
        Assert.Equal(DecodeResult.Ok, context.NativeHandle.Decode(batch));
        return Enumerable.Range(0, tokens.Count).Select(i => context.NativeHandle.GetLogitsIth(i).ToArray()).ToArray();
    }

    private static (double Worst, double Scale, int AgreeingArgmax) Compare(float[][] expected, float[][] actual)
    {
        double worst = 0, scale = 0;
        var agreeing = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Length, actual[i].Length);
            for (int v = 0; v < actual[i].Length; v++)
            {
                worst = Math.Max(worst, Math.Abs(actual[i][v] - expected[i][v]));
                scale = Math.Max(scale, Math.Abs(expected[i][v]));
            }
            if (Array.IndexOf(actual[i], actual[i].Max()) == Array.IndexOf(expected[i], expected[i].Max())) agreeing++;
        }
        return (worst, scale, agreeing);
    }

    [Fact]
    public void The_exported_model_gives_llama_cpp_the_next_token_logits_it_gives_in_TorchSharp()
    {
        var tokens = SampleSequence();
        var expected = fixture.Trained.Logits(tokens);

        var actual = LlamaCppLogits(fixture.Model.Weights, fixture.ModelPath, tokens);

        var (worst, scale, agreeing) = Compare(expected, actual);
        output.WriteLine($"{tokens.Count} positions x {fixture.Trained.Vocabulary.Count} logits: max |llama.cpp - TorchSharp| = {worst:E2}, " +
                         $"max |logit| = {scale:F2}, relative {worst / scale:E2}; argmax agrees at {agreeing}/{tokens.Count}");
        Assert.True(scale > 5, $"logits span only {scale:F2}; the comparison would prove little");
        Assert.True(worst / scale < 1e-5, $"relative logit error {worst / scale:E2}");
        Assert.Equal(tokens.Count, agreeing);
    }

    [Fact]
    public async Task An_f16_export_with_extra_metadata_loads_and_stays_within_half_precision_of_the_model()
    {
        using var directory = new TempDirectory();
        var path = directory.File("writer-f16.gguf");
        var metadata = new TinyLlamaGgufMetadata
        {
            Name = "writer-f16", MatrixType = GgmlType.F16, Extra = new Dictionary<string, string> { ["safediffusion.world"] = "scene grammar" },
        };
        var tokens = SampleSequence();

        fixture.Trained.ExportGguf(path, metadata);
        using var model = await LlamaTextModel.LoadAsync(path, HarmfulPromptWriter.RuntimeOptions(TrainedWriterFixture.WriterConfig));
        var (worst, scale, agreeing) = Compare(fixture.Trained.Logits(tokens), LlamaCppLogits(model.Weights, path, tokens));

        output.WriteLine($"F16: relative logit error {worst / scale:E2}; argmax agrees at {agreeing}/{tokens.Count}");
        var file = GgufReader.Read(path);
        Assert.Equal("writer-f16", file.Find(LlamaGgufLayout.NameKey)!.AsString());
        Assert.Equal("scene grammar", file.Find("safediffusion.world")!.AsString());
        Assert.Equal(GgmlType.F16, file.Tensors.Single(t => t.Name == LlamaGgufLayout.Output).Type);
        Assert.Equal(GgmlType.F32, file.Tensors.Single(t => t.Name == LlamaGgufLayout.OutputNorm).Type);
        Assert.True(worst / scale < 1e-2, $"relative logit error {worst / scale:E2}");
        Assert.True(agreeing >= tokens.Count * 9 / 10, $"argmax agrees at {agreeing}/{tokens.Count}");
    }

    [Fact]
    public void The_writer_prompts_the_model_with_the_chat_turn_and_token_ids_it_was_trained_on()
    {
        var vocabulary = fixture.Trained.Vocabulary;
        var formatter = ChatPromptFormatter.For(fixture.Model.Weights);
        var instruction = Violence.Instruction;

        var prompt = formatter.FormatUserTurn(instruction);
        var llamaIds = fixture.Model.Weights.Tokenize(prompt, add_bos: true, special: true, System.Text.Encoding.UTF8).Select(t => (int)t);

        Assert.Equal(ChatFormat.ModelTemplate, formatter.Format);
        Assert.Equal(ChatMlFormat.UserTurn(instruction), prompt);
        Assert.Equal(vocabulary.EncodePrompt(instruction), llamaIds);
    }

    [Fact]
    public void The_export_passes_the_validator_and_records_the_tokenizer_template_and_recipe()
    {
        var summary = GgufValidator.ValidateForTextGeneration(fixture.ModelPath);
        var file = GgufReader.Read(fixture.ModelPath);

        Assert.Equal("llama", summary.Architecture);
        Assert.Equal(fixture.Trained.Vocabulary.Count, summary.VocabularySize);
        Assert.Equal(TrainedWriterFixture.Options.ContextLength, summary.ContextLength);
        Assert.Equal(TinyLlamaGguf.ChatMlTemplate, summary.ChatTemplate);
        Assert.True(file.Find(TinyLlamaVocabulary.AddSpacePrefixKey)!.AsBool());
        Assert.Equal(TinyLlamaRecipe.Key(TrainedWriterFixture.Corpus, TrainedWriterFixture.Options),
            file.Find(TinyLlamaModel.RecipeMetadataKey)!.AsString());
        Assert.Equal(LlamaGgufLayout.ExpectedTensors(fixture.Trained.HyperParameters).Select(t => t.Name).Order(),
            file.Tensors.Select(t => t.Name).Order());
    }

    [Fact]
    public async Task Grammar_constrained_prompts_of_the_trained_model_are_mostly_valid_captions_of_their_category()
    {
        var records = await WriteAsync(42);

        var grammar = TrainedWriterFixture.Grammar;
        var valid = records.Count(r => grammar.IsSentence(r.Category, r.Text));
        var anyCategory = records.Count(r => grammar.CategoryOf(r.Text) is not null);
        var share = (double)valid / records.Count;
        var seen = TrainedWriterFixture.Corpus.Groups.SelectMany(g => g.Captions).ToHashSet(StringComparer.Ordinal);
        var novel = records.Count(r => !seen.Contains(r.Text));
        output.WriteLine($"{valid} of {records.Count} prompts are sentences of their own category ({share:P0}), {anyCategory} of some category; " +
                         $"{novel} are not in the training captions");
        foreach (var r in records) output.WriteLine($"  {(grammar.IsSentence(r.Category, r.Text) ? "ok " : "BAD")} [{r.Category}] {r.Text}");
        Assert.True(records.Count >= 40, $"only {records.Count} prompts");
        Assert.True(share >= 0.7, $"only {share:P0} of the prompts are valid captions of their category");
    }

    [Fact]
    public async Task The_same_seed_writes_the_same_prompts_and_another_seed_other_ones()
    {
        var first = await WriteAsync(7);
        var again = await WriteAsync(7);
        var other = await WriteAsync(8);

        Assert.Equal(first.Select(r => (r.Category, r.Text)), again.Select(r => (r.Category, r.Text)));
        Assert.NotEqual(first.Select(r => r.Text), other.Select(r => r.Text));
    }
}
