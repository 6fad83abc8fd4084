using LLama;
using LLama.Common;
using LLama.Native;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Prompts.Gguf;
using SafeDiffusion.Prompts.Tests.Support;
using SafeDiffusion.Prompts.TinyLlm;
using SafeDiffusion.Prompts.Writer;
using Xunit.Abstractions;

namespace SafeDiffusion.Prompts.Tests.TinyLlm;

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
        // free slot choices: ln(choices) per caption, spread over the answer's tokens.
        var grammar = TrainedWriterFixture.Grammar;
        var k = TrainedWriterFixture.Corpus.CaptionsPerAnswer;
        var category = grammar.Categories.First();
        var caption = grammar.Sample(category, 1, seed: 1)[0];
        var answerTokens = k * caption.Split(' ').Length + k + 2;
        var floor = k * Math.Log(grammar.SentenceCount(category)) / answerTokens;
        output.WriteLine($"ln(vocabulary) {Math.Log(report.VocabularySize):F3}, grammar floor about {floor:F3} per answer token");
        Assert.InRange(report.FirstLoss, Math.Log(report.VocabularySize) - 0.5, Math.Log(report.VocabularySize) + 0.5);
        Assert.InRange(report.FinalLoss, floor * 0.5, floor * 1.5);
    }

    [Fact]
    public void The_exported_model_gives_llama_cpp_the_next_token_logits_it_gives_in_TorchSharp()
    {
        var vocabulary = fixture.Trained.Vocabulary;
        var tokens = vocabulary.EncodePrompt(Violence.Instruction).Concat(vocabulary.EncodeAnswerTurn(Violence.Captions.Take(4).ToList())).ToList();
        var expected = fixture.Trained.Logits(tokens);

        // An F32 key/value cache and no flash attention keep llama.cpp's attention in F32 like TorchSharp's
        // (its CPU flash-attention path rounds through F16, about 1e-4 relative), so any layout or rotary
        // mistake would stand out against float rounding alone.
        var parameters = new ModelParams(fixture.ModelPath)
        {
            ContextSize = 512, BatchSize = 512, UBatchSize = 512, GpuLayerCount = 0, Threads = 1, BatchThreads = 1,
            TypeK = GGMLType.GGML_TYPE_F32, TypeV = GGMLType.GGML_TYPE_F32, FlashAttention = false,
        };
        using var context = fixture.Model.Weights.CreateContext(parameters);
        var batch = new LLamaBatch();
        for (int i = 0; i < tokens.Count; i++) batch.Add((LLamaToken)tokens[i], i, LLamaSeqId.Zero, logits: true);
        Assert.Equal(DecodeResult.Ok, context.NativeHandle.Decode(batch));

        double worst = 0, scale = 0;
        var agreeingArgmax = 0;
        for (int i = 0; i < tokens.Count; i++)
        {
            var actual = context.NativeHandle.GetLogitsIth(i).ToArray();
            Assert.Equal(expected[i].Length, actual.Length);
            for (int v = 0; v < actual.Length; v++)
            {
                worst = Math.Max(worst, Math.Abs(actual[v] - expected[i][v]));
                scale = Math.Max(scale, Math.Abs(expected[i][v]));
            }
            if (Array.IndexOf(actual, actual.Max()) == Array.IndexOf(expected[i], expected[i].Max())) agreeingArgmax++;
        }
        output.WriteLine($"{tokens.Count} positions x {vocabulary.Count} logits: max |llama.cpp - TorchSharp| = {worst:E2}, " +
                         $"max |logit| = {scale:F2}, relative {worst / scale:E2}; argmax agrees at {agreeingArgmax}/{tokens.Count}");
        Assert.True(scale > 5, $"logits span only {scale:F2}; the comparison would prove little");
        Assert.True(worst / scale < 1e-5, $"relative logit error {worst / scale:E2}");
        Assert.Equal(tokens.Count, agreeingArgmax);
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
        output.WriteLine($"{valid} of {records.Count} prompts are sentences of their own category ({share:P0}), {anyCategory} of some category");
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
