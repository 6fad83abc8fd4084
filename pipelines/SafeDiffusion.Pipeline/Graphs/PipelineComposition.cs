using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Datasets.Stages;
using SafeDiffusion.Diffusion.Tokenization;
using SafeDiffusion.Evaluation.Stages;
using SafeDiffusion.Training.Stages;
using SafeDiffusion.Images.Generation;
using SafeDiffusion.Pipeline.Cli;
using SafeDiffusion.Prompts.Configuration;
using SafeDiffusion.Prompts.Laion;
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

    // One name per stage (its config section, run folder and manifest entry), each the stage's own constant.
    private const string LaionPrompts = LaionCaptionSource.StageName;
    private const string HarmfulPrompts = HarmfulPromptWriter.StageName;
    private const string Images = ImageGenerationStage.DefaultName;
    private const string Dataset = DatasetStage.DefaultName;
    private const string SafetyTrain = SafetyTrainStage.StageName;
    private const string ControlTrain = ControlTraining.StageName;
    private const string MaliciousFinetune = MaliciousFinetuneStage.StageName;
    private const string Evaluate = EvaluationStage.DefaultName;
    private const string Comparison = ComparisonStage.DefaultName;

    /// <summary>Every stage of the experiment, each with the stages it takes records from and reads artifacts of.</summary>
    private static IReadOnlyList<IStage> AllStages(LoadedConfig? loaded = null)
    {
        var prompts = new ParquetPromptArtifactStore();
        // A config with a `world:` section runs in the tiny world: the writer's prompts are checked against its grammar.
        IPromptDomain? domain = loaded?.Config.World is null ? null : new WorldCaptionDomain();
        return
        [
            new LaionPromptsStage(prompts),
            new HarmfulPromptsStage(prompts, folder => ClipTokenizer.FromFolder(folder).CountTokens, domain),
            new ImageGenerationStage(Images, inputs: [LaionPrompts, HarmfulPrompts]),
            new DatasetStage(imagesStage: Images),
            new SafetyTrainStage(SafetyTrain, datasetStage: Dataset, produces: Core.Contracts.ModelVariant.Safe),
            new SafetyTrainStage(ControlTrain, datasetStage: Dataset, produces: Core.Contracts.ModelVariant.Control),
            new MaliciousFinetuneStage(MaliciousFinetune, safetyTrainStage: SafetyTrain, controlTrainStage: ControlTrain, datasetStage: Dataset),
            new EvaluationStage(JudgeProviders(), Evaluate, attackStage: MaliciousFinetune, datasetStage: Dataset),
        ];
    }

    /// <summary>
    /// A named graph: <c>full</c> (everything), <c>data</c> (prompts, images, dataset: nightly regeneration), or
    /// <c>compare</c> (the data stages and the control, then safety training, attack and evaluation once per variant
    /// listed under <c>stages.compare.variants</c> in <paramref name="loaded"/>, or the default ones; every variant's
    /// attack and evaluation take the one control).
    /// </summary>
    public static StageGraph Graph(string name, LoadedConfig? loaded = null)
    {
        var stages = AllStages(loaded);
        return name switch
        {
            Full => new StageGraph(Full, stages),
            Data => new StageGraph(Data, stages.Where(s => DataStages.Contains(s.Name))),
            Compare => new StageGraph(Compare, [.. stages.Where(s => DataStages.Contains(s.Name) || s.Name == ControlTrain), .. VariantStages(Variants(loaded))]),
            _ => throw new Core.Errors.UsageException($"No graph named '{name}'; graphs: {string.Join(", ", GraphNames)}."),
        };
    }

    private static IReadOnlyList<ComparisonVariant> Variants(LoadedConfig? loaded)
    {
        if (loaded?.Config.Stages.GetValueOrDefault(Comparison) is not { } node) return ComparisonVariant.Defaults;
        var binder = new ConfigBinder(loaded.Document);
        var config = binder.Bind<ComparisonConfig>(node, $"stages.{Comparison}");
        binder.ThrowIfAny();
        return config.Variants;
    }

    private static string Variant(string stage, string variant) => StageVariant.Name(stage, variant);

    private static IEnumerable<IStage> VariantStages(IReadOnlyList<ComparisonVariant> variants)
    {
        var providers = JudgeProviders();
        foreach (var v in variants)
        {
            yield return new SafetyTrainStage(Variant(SafetyTrain, v.Name), datasetStage: Dataset, produces: Core.Contracts.ModelVariant.Safe);
            yield return new MaliciousFinetuneStage(Variant(MaliciousFinetune, v.Name), safetyTrainStage: Variant(SafetyTrain, v.Name),
                controlTrainStage: ControlTrain, datasetStage: Dataset);
            yield return new EvaluationStage(providers, Variant(Evaluate, v.Name), attackStage: Variant(MaliciousFinetune, v.Name), datasetStage: Dataset);
        }
        yield return new ComparisonStage(variants.Select(v => (v.Name, v.Label.Length > 0 ? v.Label : v.Name, Variant(Evaluate, v.Name))).ToList());
    }

    private static readonly HashSet<string> DataStages = [LaionPrompts, HarmfulPrompts, Images, Dataset];

    /// <summary>
    /// Binds every section of the config that some part of the program owns, reporting all problems at once. The
    /// control's section is <c>safety-train</c>'s with <see cref="ControlTraining.Overrides"/> and then the keys of the
    /// config's own <c>control-train</c> section, if it has one, on top. For <c>compare</c>, each variant's stages get
    /// the shared section with the variant's overrides.
    /// </summary>
    public static StageConfigs BindAll(LoadedConfig loaded, string graphName = Full)
    {
        var document = WithControlSection(loaded.Document);
        var stages = Graph(Full).Stages.ToList();
        stages.Add(new ComparisonStage([]));
        if (graphName == Compare)
        {
            // A variant's sections are copies of the shared ones, located at the shared ones' lines; its own
            // settings at the compare section that names them (the built-in variants: at the file as a whole).
            var variantsAt = document.Locate(document.Find($"stages.{Comparison}"));
            foreach (var v in Variants(loaded))
            {
                document = document
                    .WithCopiedSection($"stages.{SafetyTrain}", $"stages.{Variant(SafetyTrain, v.Name)}", v.Set.Select(kv => $"{kv.Key}={kv.Value}"), variantsAt)
                    .WithCopiedSection($"stages.{MaliciousFinetune}", $"stages.{Variant(MaliciousFinetune, v.Name)}", [], variantsAt)
                    .WithCopiedSection($"stages.{Evaluate}", $"stages.{Variant(Evaluate, v.Name)}", [], variantsAt);
            }
            stages.AddRange(Graph(Compare, loaded).Stages.Where(s => stages.All(x => x.Name != s.Name)));
        }
        var rebinder = new ConfigBinder(document);
        var config = rebinder.Bind<PipelineConfig>(document.Root, "");
        rebinder.ThrowIfAny();
        var binder = new ConfigBinder(document);
        // The schedule is `pipeline serve`'s, but a typo in it should not wait for the first night to surface.
        if (config.Schedule is { } schedule) binder.Bind<Scheduling.Configuration.ScheduleConfig>(schedule, Scheduling.Configuration.ScheduleConfig.SectionName);
        if (config.World is { } world) binder.Bind<TinyWorldConfig>(world, "world");
        // Every stage's section is checked, not only the selected graph's: a typo in the evaluation settings
        // should fail a data-only run too, before hours of generation.
        return StageConfigs.Bind(stages, config, document, binder);
    }

    /// <summary>
    /// The document with <c>stages.control-train</c> derived from <c>stages.safety-train</c>: the control trains with
    /// the same steps, rate, batch, seed and data unless the config's own <c>control-train</c> keys say otherwise.
    /// </summary>
    /// <exception cref="ConfigException">The config's <c>control-train</c> section is not a mapping of plain values.</exception>
    private static ConfigDocument WithControlSection(ConfigDocument document)
    {
        var path = $"stages.{ControlTrain}";
        var own = new List<string>();
        switch (document.Find(path))
        {
            case null:
                break;
            case YamlDotNet.RepresentationModel.YamlMappingNode mapping:
                foreach (var (key, value) in mapping.Children)
                {
                    if (value is not YamlDotNet.RepresentationModel.YamlScalarNode scalar)
                        throw new Core.Errors.ConfigException(new Core.Errors.ConfigIssue(document.Locate(value), $"{path}.{key}",
                            "the control's settings are plain values (as for --set); this one is a list or a mapping."));
                    own.Add($"{key}={scalar.Value}");
                }
                break;
            case var other:
                throw new Core.Errors.ConfigException(new Core.Errors.ConfigIssue(document.Locate(other), path,
                    "expected a mapping of safety-train keys to override, e.g. { steps: 500 }."));
        }
        var at = document.Locate(document.Find(path) ?? document.Find($"stages.{SafetyTrain}"));
        return document.WithCopiedSection($"stages.{SafetyTrain}", path, [.. ControlTraining.Overrides, .. own], at);
    }

    /// <summary>
    /// Who turns <c>scheme:name</c> references into files: the tiny world serves <c>tiny:</c>, building its data and
    /// models into the artifact cache (<c>$SAFEDIFFUSION_CACHE</c>, else <c>~/.cache/safediffusion</c>) on first use.
    /// </summary>
    public static IReadOnlyList<IModelResolver> ModelResolvers(LoadedConfig loaded)
    {
        var binder = new ConfigBinder(loaded.Document);
        var world = binder.Bind<TinyWorldConfig>(loaded.Config.World, "world");
        var writer = binder.Bind<HarmfulPromptsConfig>(loaded.Config.Stages.GetValueOrDefault(HarmfulPrompts), $"stages.{HarmfulPrompts}");
        binder.ThrowIfAny();
        var cache = new TinyArtifactCache(world.Cache is { } root ? Path.GetFullPath(root, loaded.BaseDirectory) : TinyArtifactCache.DefaultRoot(),
            world.Shipped is { } shipped ? ShippedRoots(shipped, loaded.BaseDirectory) : []);
        return [new TinyWorldModelResolver(world, writer, cache)];
    }

    /// <summary>
    /// Where a relative <c>world.shipped</c> folder is looked for: from where the command runs (a checkout's
    /// <c>data/tiny-world</c>), then beside the program, which carries a copy of the repository's, so a run from any
    /// folder starts from the shipped weights. An absolute path is taken as it is.
    /// </summary>
    internal static IReadOnlyList<string> ShippedRoots(string shipped, string baseDirectory)
    {
        var fromRun = Path.GetFullPath(shipped, baseDirectory);
        if (Path.IsPathRooted(shipped)) return [fromRun];
        var besideProgram = Path.GetFullPath(shipped, AppContext.BaseDirectory);
        return string.Equals(fromRun, besideProgram, StringComparison.Ordinal) ? [fromRun] : [fromRun, besideProgram];
    }

    /// <summary>Who can judge evaluation images, by the `kind` a config names.</summary>
    private static IReadOnlyList<IEvaluationJudgeProvider> JudgeProviders() =>
        [new SafetyCheckerJudgeProvider(), new OnnxJudgeProvider(), new InceptionFeatureProvider(), new TinyWorldJudgeProvider()];
}
