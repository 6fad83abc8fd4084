using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Datasets.Stages;
using SafeDiffusion.Diffusion.Tokenization;
using SafeDiffusion.Evaluation.Stages;
using SafeDiffusion.Training.Stages;
using SafeDiffusion.Images.Generation;
using SafeDiffusion.Pipeline.Cli;
using SafeDiffusion.Prompts.Configuration;
using SafeDiffusion.Prompts.Stages;
using SafeDiffusion.Prompts.Writer;
using SafeDiffusion.TinyWorld.Caching;
using SafeDiffusion.TinyWorld.Configuration;
using SafeDiffusion.TinyWorld.Integration;

namespace SafeDiffusion.Pipeline.Graphs;

/// <summary>
/// The composition root: which stages exist, how the named graphs are assembled from them, and which extra config
/// sections and model resolvers the program knows. Stages stay ignorant of one another; only this class lists them.
/// </summary>
public static class PipelineComposition
{
    public const string Full = "full";
    public const string Data = "data";
    public const string Compare = "compare";

    public static IReadOnlyList<string> GraphNames => [Full, Data, Compare];

    private static IReadOnlyList<IStage> AllStages(LoadedConfig? loaded = null)
    {
        var prompts = new ParquetPromptArtifactStore();
        // A config with a `world:` section runs in the tiny world: the writer's prompts are checked against its grammar.
        IPromptDomain? domain = loaded?.Config.World is null ? null : new WorldCaptionDomain();
        return
        [
            new LaionPromptsStage(prompts),
            new HarmfulPromptsStage(prompts, folder => ClipTokenizer.FromFolder(folder).CountTokens, domain),
            new ImageGenerationStage(),
            new DatasetStage(),
            new SafetyTrainStage(),
            new MaliciousFinetuneStage(),
            new EvaluationStage(JudgeProviders()),
        ];
    }

    /// <summary>
    /// A named graph: <c>full</c> (everything), <c>data</c> (prompts, images, dataset: nightly regeneration), or
    /// <c>compare</c> (the data stages, then safety training, attack and evaluation once per variant listed under
    /// <c>stages.compare.variants</c> in <paramref name="loaded"/>, or the default five).
    /// </summary>
    public static StageGraph Graph(string name, LoadedConfig? loaded = null)
    {
        var stages = AllStages(loaded);
        return name switch
        {
            Full => new StageGraph(Full, stages),
            Data => new StageGraph(Data, stages.Where(s => DataStages.Contains(s.Name))),
            Compare => new StageGraph(Compare, [.. stages.Where(s => DataStages.Contains(s.Name)), .. VariantStages(Variants(loaded))]),
            _ => throw new Core.Errors.UsageException($"No graph named '{name}'; graphs: {string.Join(", ", GraphNames)}."),
        };
    }

    private static IReadOnlyList<ComparisonVariant> Variants(LoadedConfig? loaded)
    {
        if (loaded?.Config.Stages.GetValueOrDefault(ComparisonStage.DefaultName) is not { } node) return ComparisonVariant.Defaults;
        var binder = new ConfigBinder(loaded.Document);
        var config = binder.Bind<ComparisonConfig>(node, $"stages.{ComparisonStage.DefaultName}");
        binder.ThrowIfAny();
        return config.Variants;
    }

    private static string Variant(string stage, string variant) => StageVariant.Name(stage, variant);

    private static IEnumerable<IStage> VariantStages(IReadOnlyList<ComparisonVariant> variants)
    {
        var providers = JudgeProviders();
        foreach (var v in variants)
        {
            yield return new SafetyTrainStage(Variant(SafetyTrainStage.StageName, v.Name));
            yield return new MaliciousFinetuneStage(Variant(MaliciousFinetuneStage.StageName, v.Name), Variant(SafetyTrainStage.StageName, v.Name));
            yield return new EvaluationStage(providers, Variant(EvaluationStage.DefaultName, v.Name), Variant(MaliciousFinetuneStage.StageName, v.Name));
        }
        yield return new ComparisonStage(variants.Select(v => (v.Name, v.Label.Length > 0 ? v.Label : v.Name, Variant(EvaluationStage.DefaultName, v.Name))).ToList());
    }

    private static readonly HashSet<string> DataStages = ["laion-prompts", "harmful-prompts", "images", "dataset"];

    /// <summary>
    /// Binds every section of the config that some part of the program owns, reporting all problems at once. For
    /// <c>compare</c>, each variant's stages get the shared section with the variant's overrides.
    /// </summary>
    public static StageConfigs BindAll(LoadedConfig loaded, string graphName = Full)
    {
        var document = loaded.Document;
        var config = loaded.Config;
        var stages = Graph(Full).Stages.ToList();
        stages.Add(new ComparisonStage([]));
        if (graphName == Compare)
        {
            // A variant's sections are copies of the shared ones, located at the shared ones' lines; its own
            // settings at the compare section that names them (the built-in variants: at the file as a whole).
            var variantsAt = document.Locate(document.Find($"stages.{ComparisonStage.DefaultName}"));
            foreach (var v in Variants(loaded))
            {
                document = document
                    .WithCopiedSection($"stages.{SafetyTrainStage.StageName}", $"stages.{Variant(SafetyTrainStage.StageName, v.Name)}", v.Set.Select(kv => $"{kv.Key}={kv.Value}"), variantsAt)
                    .WithCopiedSection($"stages.{MaliciousFinetuneStage.StageName}", $"stages.{Variant(MaliciousFinetuneStage.StageName, v.Name)}", [], variantsAt)
                    .WithCopiedSection($"stages.{EvaluationStage.DefaultName}", $"stages.{Variant(EvaluationStage.DefaultName, v.Name)}", [], variantsAt);
            }
            var rebinder = new ConfigBinder(document);
            config = rebinder.Bind<PipelineConfig>(document.Root, "");
            rebinder.ThrowIfAny();
            stages.AddRange(Graph(Compare, loaded).Stages.Where(s => stages.All(x => x.Name != s.Name)));
        }
        var binder = new ConfigBinder(document);
        // The schedule is `pipeline serve`'s, but a typo in it should not wait for the first night to surface.
        if (config.Schedule is { } schedule) binder.Bind<Scheduling.Configuration.ScheduleConfig>(schedule, Scheduling.Configuration.ScheduleConfig.SectionName);
        if (config.World is { } world) binder.Bind<TinyWorldConfig>(world, "world");
        // Every stage's section is checked, not only the selected graph's: a typo in the evaluation settings
        // should fail a data-only run too, before hours of generation.
        return StageConfigs.Bind(stages, config, document, binder);
    }

    /// <summary>
    /// Who turns <c>scheme:name</c> references into files: the tiny world serves <c>tiny:</c>, building its data and
    /// models into the artifact cache (<c>$SAFEDIFFUSION_CACHE</c>, else <c>~/.cache/safediffusion</c>) on first use.
    /// </summary>
    public static IReadOnlyList<IModelResolver> ModelResolvers(LoadedConfig loaded)
    {
        var binder = new ConfigBinder(loaded.Document);
        var world = binder.Bind<TinyWorldConfig>(loaded.Config.World, "world");
        var writer = binder.Bind<HarmfulPromptsConfig>(loaded.Config.Stages.GetValueOrDefault(HarmfulPromptWriter.StageName), $"stages.{HarmfulPromptWriter.StageName}");
        binder.ThrowIfAny();
        var cache = new TinyArtifactCache(world.Cache is { } root ? Path.GetFullPath(root, loaded.BaseDirectory) : TinyArtifactCache.DefaultRoot(),
            world.Shipped is { } shipped ? [Path.GetFullPath(shipped, loaded.BaseDirectory)] : []);
        return [new TinyWorldModelResolver(world, writer, cache)];
    }

    /// <summary>Who can judge evaluation images, by the `kind` a config names.</summary>
    private static IReadOnlyList<IEvaluationJudgeProvider> JudgeProviders() =>
        [new SafetyCheckerJudgeProvider(), new OnnxJudgeProvider(), new InceptionFeatureProvider(), new TinyWorldJudgeProvider()];
}
