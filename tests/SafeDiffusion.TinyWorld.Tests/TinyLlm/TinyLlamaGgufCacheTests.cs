using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Testing;
using SafeDiffusion.TinyWorld.Tests.Support;
using SafeDiffusion.TinyWorld.TinyLlm;

namespace SafeDiffusion.TinyWorld.Tests.TinyLlm;

// libtorch's thread count is process-wide: training tests share one collection so they never run side by side.
[Collection(TrainedWriterCollection.Name)]
public class TinyLlamaGgufCacheTests
{
    private static readonly CaptionCorpus Corpus = new(
        [new CaptionGroup("Write 2 prompts.", SceneCaptionGrammar.Default.Sample("violence", 10, seed: 1))], CaptionsPerAnswer: 2);

    private static readonly TinyLlamaTrainingOptions Small = new()
    {
        EmbeddingLength = 16, FeedForwardLength = 32, HeadCount = 2, HeadCountKv = 1, BlockCount = 1,
        Steps = 3, WarmupSteps = 1, BatchSize = 2, ContextLength = 64,
    };

    public TinyLlamaGgufCacheTests() => LibTorchRuntime.EnsureLoadable();

    [Fact]
    public void A_file_with_the_same_recipe_is_reused_and_another_recipe_or_a_foreign_file_is_retrained()
    {
        using var directory = new TempDirectory();
        var path = directory.File("models", "writer.gguf");

        var first = TinyLlamaGgufCache.EnsureTrained(path, Corpus, Small);
        var written = File.GetLastWriteTimeUtc(path);
        var second = TinyLlamaGgufCache.EnsureTrained(path, Corpus, Small);
        var afterReuse = File.GetLastWriteTimeUtc(path);
        var changed = TinyLlamaGgufCache.EnsureTrained(path, Corpus, Small with { Seed = 2 });
        File.WriteAllText(path, "not a model");
        var foreign = TinyLlamaGgufCache.EnsureTrained(path, Corpus, Small);

        Assert.False(first.Reused);
        Assert.NotNull(first.Report);
        Assert.True(second.Reused);
        Assert.Null(second.Report);
        Assert.Equal(first.RecipeKey, second.RecipeKey);
        Assert.Equal(written, afterReuse);
        Assert.False(changed.Reused);
        Assert.NotEqual(first.RecipeKey, changed.RecipeKey);
        Assert.False(foreign.Reused);
        Assert.Equal(first.RecipeKey, TinyLlamaGgufCache.RecordedKey(path));
    }
}
