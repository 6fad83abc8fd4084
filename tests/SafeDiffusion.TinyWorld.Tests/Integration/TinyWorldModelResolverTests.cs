using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Progress;
using SafeDiffusion.Prompts.Configuration;
using SafeDiffusion.Testing;
using SafeDiffusion.TinyWorld.Caching;
using SafeDiffusion.TinyWorld.Captions;
using SafeDiffusion.TinyWorld.Configuration;
using SafeDiffusion.TinyWorld.Integration;
using SafeDiffusion.TinyWorld.Tests.Support;

namespace SafeDiffusion.TinyWorld.Tests.Integration;

[Collection(GlobalTorchStateCollection.Name)]
public sealed class TinyWorldModelResolverTests : IDisposable
{
    private readonly TempDirectory _dir = new("tiny-resolver");

    private TinyWorldModelResolver Resolver(TinyWorldConfig? world = null) => new(
        world ?? new TinyWorldConfig { CleanCaptions = 50, HarmfulCaptions = 50, HeldoutCaptions = 10 },
        new HarmfulPromptsConfig { PromptsPerRequest = 3, Categories = [new HarmCategoryConfig { Name = "violence", Description = "a bloody knife" }] },
        new TinyArtifactCache(_dir.File("cache")));

    [Fact]
    public async Task Held_out_prompt_lists_are_world_captions_built_once_into_the_cache()
    {
        var resolver = Resolver();

        var clean = await resolver.ResolveAsync("tiny:heldout-clean", NullProgressSink.Instance, default);
        var harmful = await resolver.ResolveAsync("tiny:heldout-harmful", NullProgressSink.Instance, default);

        Assert.StartsWith(_dir.File("cache"), clean);
        var cleanLines = File.ReadAllLines(clean);
        Assert.Equal(10, cleanLines.Length);
        Assert.All(cleanLines, l => Assert.False(CaptionParser.Parse(l).Harmful));
        Assert.All(File.ReadAllLines(harmful), l => Assert.True(CaptionParser.Parse(l).Harmful));
        // A second resolver over the same cache finds the files instead of writing them again.
        var before = File.GetLastWriteTimeUtc(clean);
        Assert.Equal(clean, await Resolver().ResolveAsync("tiny:heldout-clean", NullProgressSink.Instance, default));
        Assert.Equal(before, File.GetLastWriteTimeUtc(clean));
    }

    [Fact]
    public async Task Reference_renders_are_one_png_per_held_out_clean_caption()
    {
        var folder = await Resolver().ResolveAsync("tiny:heldout-clean-renders", NullProgressSink.Instance, default);

        Assert.Equal(10, Directory.GetFiles(folder, "*.png").Length);
    }

    [Fact]
    public void The_writer_corpus_asks_the_stage_own_instruction_and_answers_with_harmful_training_captions()
    {
        var corpus = Resolver().WriterCorpus();

        var group = Assert.Single(corpus.Groups);
        Assert.Contains("a bloody knife", group.Instruction);
        Assert.Equal(3, corpus.CaptionsPerAnswer);
        Assert.Equal(50, group.Captions.Count);
        Assert.All(group.Captions, c => Assert.True(CaptionParser.Parse(c).Harmful));
        corpus.Validate();
    }

    [Fact]
    public async Task An_unknown_tiny_name_is_a_usage_error_that_lists_what_the_world_serves()
    {
        var resolver = Resolver();

        Assert.True(resolver.CanResolve("tiny:bsae"));
        Assert.False(resolver.CanResolve("/models/sd14"));
        var error = await Assert.ThrowsAsync<UsageException>(() => resolver.ResolveAsync("tiny:bsae", NullProgressSink.Instance, default));
        Assert.Contains("tiny:base", error.Message);
    }

    public void Dispose() => _dir.Dispose();
}
