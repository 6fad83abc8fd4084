using System.Collections.Concurrent;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Progress;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Prompts.Configuration;
using SafeDiffusion.TinyWorld.Caching;
using SafeDiffusion.TinyWorld.Captions;
using SafeDiffusion.TinyWorld.Classifier;
using SafeDiffusion.TinyWorld.Configuration;
using SafeDiffusion.TinyWorld.Data;
using SafeDiffusion.TinyWorld.Pretraining;
using SafeDiffusion.TinyWorld.Rendering;
using SafeDiffusion.TinyWorld.TinyLlm;

namespace SafeDiffusion.TinyWorld.Integration;

/// <summary>
/// Serves <c>tiny:NAME</c> references in a config: the world's files and models, each built on first use into the
/// content-addressed <see cref="TinyArtifactCache"/> and reused by every later run with the same recipe. Names:
/// <list type="bullet">
/// <item><c>laion-captions</c>: LAION-format metadata Parquet of clean and harmful captions;</item>
/// <item><c>clean-captions</c>, <c>harmful-captions</c>, <c>heldout-clean</c>, <c>heldout-harmful</c>: prompt lists;</item>
/// <item><c>heldout-clean-renders</c>: a folder of PNG renders of the held-out clean captions, the true images the
/// Frechet distance compares generated clean images with;</item>
/// <item><c>classifier</c>: the scene classifier folder (judge of harm, adherence and features);</item>
/// <item><c>base</c>: the pretrained tiny Stable Diffusion folder (needs the classifier for its quality gate);</item>
/// <item><c>prompt-llm</c>: the tiny llama writer GGUF, trained on the world's harmful captions for the
/// <c>harmful-prompts</c> stage's own instructions.</item>
/// </list>
/// One build per name per process: stages asking at once share it.
/// </summary>
public sealed class TinyWorldModelResolver(TinyWorldConfig world, HarmfulPromptsConfig writer, TinyArtifactCache cache) : IModelResolver
{
    public const string Scheme = "tiny:";
    public const string ExportKind = "tinyworld-export";
    public const string PromptLlmKind = "tinyworld-prompt-llm";
    public const string PromptLlmFile = "writer.gguf";

    public static IReadOnlyList<string> Names =>
        ["laion-captions", "clean-captions", "harmful-captions", "heldout-clean", "heldout-harmful", "heldout-clean-renders", "classifier", "base", "prompt-llm"];

    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _built = new(StringComparer.Ordinal);

    public TinyArtifactCache Cache => cache;

    public bool CanResolve(string reference) => reference.StartsWith(Scheme, StringComparison.Ordinal);

    public Task<string> ResolveAsync(string reference, IProgressSink progress, CancellationToken ct)
    {
        var name = reference[Scheme.Length..];
        if (!Names.Contains(name))
            throw new UsageException($"'{reference}' is not part of the tiny world; it serves {string.Join(", ", Names.Select(n => Scheme + n))}.");
        return _built.GetOrAdd(name, n => new Lazy<Task<string>>(() => BuildAsync(n, progress, ct))).Value;
    }

    private async Task<string> BuildAsync(string name, IProgressSink progress, CancellationToken ct)
    {
        switch (name)
        {
            case "classifier":
            {
                using var classifier = await TinyWorldClassifier.GetOrTrainAsync(world, cache, progress, ct).ConfigureAwait(false);
                return cache.PathFor(TinyWorldClassifier.Recipe(world));
            }
            case "base":
            {
                var classifierFolder = await ResolveAsync(Scheme + "classifier", progress, ct).ConfigureAwait(false);
                using var classifier = TinyWorldClassifier.Load(classifierFolder);
                var model = await TinyBaseModelBuilder.EnsureBuiltAsync(world, cache, classifier, progress, ct).ConfigureAwait(false);
                return model.Directory;
            }
            case "heldout-clean-renders":
            {
                var captions = await ResolveAsync(Scheme + "heldout-clean", progress, ct).ConfigureAwait(false);
                return await cache.GetOrBuildAsync(RecipeFor(name),
                    (temp, token) =>
                    {
                        var lines = File.ReadAllLines(captions).Where(l => l.Length > 0).ToList();
                        var rng = new World.WorldRandom(SeedDerivation.Derive(world.Seed, "tinyworld", "reference-renders"));
                        for (int i = 0; i < lines.Count; i++)
                        {
                            token.ThrowIfCancellationRequested();
                            var image = SceneRenderer.Render(World.SceneSampler.Layout(CaptionParser.Parse(lines[i]), rng), world.ImageSize);
                            File.WriteAllBytes(Path.Combine(temp, $"{i:D5}.png"), Images.Codecs.PngCodec.Encode(image));
                        }
                        return Task.CompletedTask;
                    }, progress, ct).ConfigureAwait(false);
            }
            case "prompt-llm":
                return await BuildPromptLlmAsync(progress, ct).ConfigureAwait(false);
            default:
            {
                var folder = await cache.GetOrBuildAsync(ExportRecipe(world),
                    async (temp, token) => await WorldDataExporter.ExportAsync(world, temp, token).ConfigureAwait(false), progress, ct).ConfigureAwait(false);
                return Path.Combine(folder, name switch
                {
                    "laion-captions" => WorldDataExporter.LaionFile,
                    "clean-captions" => WorldDataExporter.CleanFile,
                    "harmful-captions" => WorldDataExporter.HarmfulFile,
                    "heldout-clean" => WorldDataExporter.HeldoutCleanFile,
                    _ => WorldDataExporter.HeldoutHarmfulFile,
                });
            }
        }
    }

    /// <summary>The recipe of the cached artifact that serves <c>tiny:</c><paramref name="name"/> (the caption files share one).</summary>
    public ArtifactRecipe RecipeFor(string name) => name switch
    {
        "classifier" => TinyWorldClassifier.Recipe(world),
        "base" => TinyBaseModelBuilder.Recipe(world),
        "heldout-clean-renders" => ArtifactRecipe.ForWorld("tinyworld-reference-renders", new { export = ExportRecipe(world).Key }),
        "prompt-llm" => ArtifactRecipe.ForWorld(PromptLlmKind, new { key = TinyLlamaRecipe.Key(WriterCorpus(), world.PromptLlm) }),
        _ when Names.Contains(name) => ExportRecipe(world),
        _ => throw new ArgumentException($"'{name}' is not a tiny world name.", nameof(name)),
    };

    /// <summary>What the exported caption files depend on.</summary>
    public static ArtifactRecipe ExportRecipe(TinyWorldConfig world) => ArtifactRecipe.ForWorld(ExportKind, new
    {
        vocabulary = CaptionVocabulary.ContentHash,
        world.ImageSize, world.Seed, world.HoldoutShare, world.CleanCaptions, world.HarmfulCaptions, world.HeldoutCaptions,
    });

    /// <summary>
    /// The writer corpus: every harm category of the <c>harmful-prompts</c> stage, asked with the stage's own
    /// instruction, answered with the world's harmful training captions. The model only ever sees training
    /// captions, so held-out scenes stay held out.
    /// </summary>
    public CaptionCorpus WriterCorpus()
    {
        var harmful = WorldCaptionSampler.Distinct(world, harmful: true, WorldSplitSide.Train, world.HarmfulCaptions, "export");
        return CaptionCorpus.ForWriter(writer, _ => harmful);
    }

    private async Task<string> BuildPromptLlmAsync(IProgressSink progress, CancellationToken ct)
    {
        var corpus = WriterCorpus();
        var options = world.PromptLlm;
        var folder = await cache.GetOrBuildAsync(RecipeFor("prompt-llm"), (temp, token) =>
        {
            var result = TinyLlamaGgufCache.EnsureTrained(Path.Combine(temp, PromptLlmFile), corpus, options,
                new TinyLlamaGgufMetadata { Name = "tinyworld-writer" }, progress, token);
            if (result.Report is { } report)
                progress.Info(System.FormattableString.Invariant($"Tiny prompt writer trained: {report.Steps} steps in {report.Seconds:F0} s, loss {report.FirstLoss:F2} -> {report.FinalLoss:F3}."));
            return Task.CompletedTask;
        }, progress, ct).ConfigureAwait(false);
        return Path.Combine(folder, PromptLlmFile);
    }
}
