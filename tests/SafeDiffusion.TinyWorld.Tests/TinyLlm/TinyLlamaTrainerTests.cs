using System.Security.Cryptography;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Progress;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Testing;
using SafeDiffusion.TinyWorld.Tests.Support;
using SafeDiffusion.TinyWorld.TinyLlm;
using TorchSharp;

namespace SafeDiffusion.TinyWorld.Tests.TinyLlm;

// libtorch's thread count is process-wide: training tests share one collection so they never run side by side.
[Collection(TrainedWriterCollection.Name)]
public class TinyLlamaTrainerTests
{
    private static readonly CaptionCorpus Corpus = new(
        SceneCaptionGrammar.Default.Categories
            .Select(c => new CaptionGroup($"Write 3 prompts about {c}.", SceneCaptionGrammar.Default.Sample(c, 20, seed: 3)))
            .ToList(),
        CaptionsPerAnswer: 3);

    /// <summary>A model small and short enough to train in a fraction of a second.</summary>
    private static readonly TinyLlamaTrainingOptions Small = new()
    {
        EmbeddingLength = 32, FeedForwardLength = 64, HeadCount = 4, HeadCountKv = 2, BlockCount = 1,
        Steps = 6, WarmupSteps = 2, BatchSize = 4, ContextLength = 128, Seed = 5,
    };

    public TinyLlamaTrainerTests() => LibTorchRuntime.EnsureLoadable();

    private static string TrainAndHash(TinyLlamaTrainingOptions options, TempDirectory directory, string name)
    {
        using var model = TinyLlamaTrainer.Train(Corpus, options);
        var path = directory.File(name);
        model.ExportGguf(path);
        return Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
    }

    [Fact]
    public void The_same_seed_trains_the_same_weights_and_another_seed_other_weights()
    {
        using var directory = new TempDirectory();

        var first = TrainAndHash(Small, directory, "a.gguf");
        var again = TrainAndHash(Small, directory, "b.gguf");
        var other = TrainAndHash(Small with { Seed = 6 }, directory, "c.gguf");

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Live_tensors_left_after_training_do_not_grow_with_the_number_of_steps()
    {
        long LeftAfter(int steps)
        {
            var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            using (TinyLlamaTrainer.Train(Corpus, Small with { Steps = steps })) { }
            return DisposeScopeManager.Statistics.ThreadTotalLiveCount - before;
        }

        LeftAfter(3);
        var few = LeftAfter(3);
        var many = LeftAfter(12);

        Assert.Equal(few, many);
    }

    [Fact]
    public void Progress_counts_every_step_the_report_matches_the_options_and_libtorch_threads_are_restored()
    {
        var sink = new CountingProgressSink();
        var threads = torch.get_num_threads();

        using var model = TinyLlamaTrainer.Train(Corpus, Small, sink);

        Assert.Equal(threads, torch.get_num_threads());
        Assert.Equal(("train tiny writer model", Small.Steps), (sink.Name, sink.Total));
        Assert.Equal(Small.Steps, sink.Increments);
        Assert.StartsWith("loss ", sink.LastStatus);
        Assert.Equal(Small.Steps, model.Report.Steps);
        Assert.Equal(model.Vocabulary.Count, model.HyperParameters.VocabularySize);
        Assert.Equal(TinyLlamaRecipe.Key(Corpus, Small), model.RecipeKey);
        Assert.NotEqual(model.RecipeKey, TinyLlamaRecipe.Key(Corpus, Small with { Steps = 7 }));
    }

    [Fact]
    public void Cancelling_stops_training_between_steps()
    {
        using var cancel = new CancellationTokenSource();
        var sink = new CountingProgressSink { OnIncrement = n => { if (n == 2) cancel.Cancel(); } };

        Assert.ThrowsAny<OperationCanceledException>(() => TinyLlamaTrainer.Train(Corpus, Small with { Steps = 50 }, sink, cancel.Token));
        Assert.Equal(2, sink.Increments);
    }

    [Fact]
    public void A_training_sequence_longer_than_the_context_is_a_usage_error_naming_contextLength()
    {
        var e = Assert.Throws<UsageException>(() => TinyLlamaTrainer.Train(Corpus, Small with { ContextLength = 20 }));

        Assert.Contains("contextLength is 20", e.Message);
    }

    [Fact]
    public void Options_with_an_odd_head_size_are_a_usage_error()
    {
        var e = Assert.Throws<UsageException>(() => TinyLlamaTrainer.Train(Corpus, Small with { EmbeddingLength = 36, HeadCount = 4 }));

        Assert.Contains("rotary embedding needs an even head size", e.Message);
    }

    [Fact]
    public void The_learning_rate_warms_up_linearly_then_decays_by_cosine_to_the_final_ratio()
    {
        // Steps 0..110; the decay runs over steps 10..110, so step 60 is halfway and step 110 the last.
        var o = new TinyLlamaTrainingOptions { LearningRate = 1e-2, WarmupSteps = 10, Steps = 111, FinalLearningRateRatio = 0.1 };

        Assert.Equal(1e-3, TinyLlamaTrainer.LearningRateAt(0, o), 1e-12);
        Assert.Equal(1e-2, TinyLlamaTrainer.LearningRateAt(9, o), 1e-12);
        Assert.Equal(1e-2, TinyLlamaTrainer.LearningRateAt(10, o), 1e-12);
        // Halfway the cosine factor is 1/2: the rate is 0.1 + 0.9 / 2 of the peak.
        Assert.Equal(0.55e-2, TinyLlamaTrainer.LearningRateAt(60, o), 1e-12);
        Assert.Equal(1e-3, TinyLlamaTrainer.LearningRateAt(110, o), 1e-12);
    }

    private sealed class CountingProgressSink : IProgressSink, IProgressTask
    {
        public string? Name { get; private set; }
        public double Total { get; private set; }
        public int Increments { get; private set; }
        public string LastStatus { get; private set; } = "";

        public IProgressTask Start(string name, double total, string unit = "items")
        {
            Name = name;
            Total = total;
            return this;
        }

        public void Info(string message) { }
        public void Warn(string message) { }
        public Action<int>? OnIncrement { get; init; }

        public void Increment(double amount = 1)
        {
            Increments += (int)amount;
            OnIncrement?.Invoke(Increments);
        }

        public void SetTotal(double total) => Total = total;
        public void SetStatus(string status) => LastStatus = status;
        public void Dispose() { }
    }
}
