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

    /// <summary>Seeds a run of <c>full</c> or <c>compare</c> repeats its seeded stages over when the config says nothing.</summary>
    public const int DefaultSeedCount = 3;

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
            .. ControlStages(name => name),
            .. ArmStages(name => name, name => name, JudgeProviders(), cleanSetsAfterAttack: true),
        ];
    }

    /// <summary>
    /// The seeded part of the experiment, the stages repeated once per seed (and, but for the control, per compare
    /// variant): the control, then each arm's safety training, attack and evaluation, each named by a name function from
    /// its plain name and wired to the same copy's upstream stages. These two lists are the one place seeded stages are
    /// declared: a stage added here is repeated, named, given its seed and its config section everywhere.
    /// </summary>
    private static IReadOnlyList<IStage> ControlStages(Func<string, string> name) =>
    [
        new SafetyTrainStage(name(ControlTrain), datasetStage: Dataset, produces: Core.Contracts.ModelVariant.Control),
    ];

    /// <param name="name">Names an arm's own stages.</param>
    /// <param name="control">Names the control copy the arm's attack takes (in <c>compare</c>, one per seed for every variant).</param>
    /// <param name="cleanSetsAfterAttack">
    /// Whether the evaluation draws the attacked models on the clean sets: <c>full</c> reports their quality after the
    /// attack; <c>compare</c>'s table gives clean quality before the attack only, and skipping those sets spares about
    /// a third of its evaluation's sampling.
    /// </param>
    private static IReadOnlyList<IStage> ArmStages(Func<string, string> name, Func<string, string> control, IReadOnlyList<IEvaluationJudgeProvider> providers,
        bool cleanSetsAfterAttack) =>
    [
        new SafetyTrainStage(name(SafetyTrain), datasetStage: Dataset, produces: Core.Contracts.ModelVariant.Safe),
        new MaliciousFinetuneStage(name(MaliciousFinetune), safetyTrainStage: name(SafetyTrain), controlTrainStage: control(ControlTrain), datasetStage: Dataset),
        new EvaluationStage(providers, name(Evaluate), attackStage: name(MaliciousFinetune), datasetStage: Dataset, cleanSetsAfterAttack),
    ];

    /// <summary>The plain names of an arm's seeded stages (their config sections), in graph order.</summary>
    private static IReadOnlyList<string> ArmStageNames => ArmStages(name => name, name => name, [], cleanSetsAfterAttack: true).Select(s => s.Name).ToList();

    /// <summary>The plain names of every seeded stage (their config sections), in graph order: the control, then the arm's.</summary>
    private static IReadOnlyList<string> SeededStageNames => [.. ControlStages(name => name).Select(s => s.Name), .. ArmStageNames];

    /// <summary>
    /// The name of a seeded stage's copy: <c>safety-train@seed-2</c> in <c>full</c>, <c>safety-train@lt-seed-2</c>
    /// for variant <c>lt</c> in <c>compare</c>; with one seed, today's <c>safety-train</c> and <c>safety-train@lt</c>.
    /// </summary>
    /// <param name="seedNumber">1-based position of the seed; null for a run over one seed.</param>
    public static string SeedCopy(string stage, string? variant, int? seedNumber) => (variant, seedNumber) switch
    {
        (null, null) => stage,
        (_, null) => Variant(stage, variant),
        (null, { } n) => Variant(stage, SeedName(n)),
        ({ } v, { } n) => Variant(stage, $"{v}-{SeedName(n)}"),
    };

    /// <summary>A seed copy's name: <c>seed-1</c>, <c>seed-2</c>, ...</summary>
    public static string SeedName(int seedNumber) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"seed-{seedNumber}");

    /// <summary>
    /// The root seeds <c>full</c> and <c>compare</c> repeat their seeded stages over: the config's <c>seeds:</c>
    /// (or <c>--seeds N</c>), else <see cref="DefaultSeedCount"/> seeds derived from its <c>seed</c>; one seed, the
    /// config's <c>seed</c>, without a config.
    /// </summary>
    public static IReadOnlyList<long> RunSeedsOf(LoadedConfig? loaded) =>
        loaded is null ? [new PipelineConfig().Seed] : RunSeeds.Of(loaded.Config, loaded.Document, DefaultSeedCount);

    /// <summary>
    /// A named graph: <c>full</c> (everything), <c>data</c> (prompts, images, dataset: nightly regeneration), or
    /// <c>compare</c> (the data stages and the control, then safety training, attack and evaluation once per variant
    /// listed under <c>stages.compare.variants</c> in <paramref name="loaded"/>, or the default ones; every variant's
    /// attack and evaluation take the one control). Over several seeds (<see cref="RunSeedsOf"/>) the seeded stages of
    /// <c>full</c> (the control included) and of each compare variant are repeated once per seed, each copy drawing
    /// from its own root seed, and <c>full</c> ends in the <c>seeds</c> summary; the data stages run once, and
    /// <c>compare</c> trains one control per seed for all its variants.
    /// </summary>
    public static StageGraph Graph(string name, LoadedConfig? loaded = null) =>
        Graph(name, loaded, name is Full or Compare ? RunSeedsOf(loaded) : [RunSeed(loaded)]);

    private static StageGraph Graph(string name, LoadedConfig? loaded, IReadOnlyList<long> seeds)
    {
        var stages = AllStages(loaded);
        var data = stages.Where(s => DataStages.Contains(s.Name)).ToList();
        return name switch
        {
            Full => FullGraph(data, stages, seeds, RunSeed(loaded)),
            Data => new StageGraph(Data, data),
            Compare => CompareGraph(data, Variants(loaded), seeds, RunSeed(loaded)),
            _ => throw new Core.Errors.UsageException($"No graph named '{name}'; graphs: {string.Join(", ", GraphNames)}."),
        };
    }

    private static long RunSeed(LoadedConfig? loaded) => (loaded?.Config ?? new PipelineConfig()).Seed;

    private static StageGraph FullGraph(List<IStage> data, IReadOnlyList<IStage> stages, IReadOnlyList<long> seeds, long runSeed)
    {
        if (seeds.Count == 1) return new StageGraph(Full, stages) { RootSeeds = RootSeeds(seeds, runSeed, i => SeededStageNames) };
        var providers = JudgeProviders();
        var copies = Enumerable.Range(1, seeds.Count).SelectMany(n =>
            ControlStages(s => SeedCopy(s, null, n)).Concat(ArmStages(s => SeedCopy(s, null, n), s => SeedCopy(s, null, n), providers, cleanSetsAfterAttack: true))).ToList();
        var summary = new SeedSummaryStage(seeds.Select((seed, i) => (SeedName(i + 1), seed, SeedCopy(Evaluate, null, i + 1))).ToList());
        return new StageGraph(Full, [.. data, .. copies, summary])
        {
            RootSeeds = RootSeeds(seeds, runSeed, i => SeededStageNames.Select(s => SeedCopy(s, null, i + 1))),
        };
    }

    private static StageGraph CompareGraph(List<IStage> data, IReadOnlyList<ComparisonVariant> variants, IReadOnlyList<long> seeds, long runSeed)
    {
        var providers = JudgeProviders();
        int? Number(int i) => seeds.Count == 1 ? null : i + 1;
        var controls = seeds.SelectMany((_, i) => ControlStages(s => SeedCopy(s, null, Number(i)))).ToList();
        var copies = variants.SelectMany(v => seeds.SelectMany((_, i) => ArmStages(s => SeedCopy(s, v.Name, Number(i)), s => SeedCopy(s, null, Number(i)), providers, cleanSetsAfterAttack: false))).ToList();
        var comparison = new ComparisonStage(variants.Select(v => (v.Name, v.Label.Length > 0 ? v.Label : v.Name,
            (IReadOnlyList<(string, long, string)>)seeds.Select((seed, i) => (seeds.Count == 1 ? "" : SeedName(i + 1), seed, SeedCopy(Evaluate, v.Name, Number(i)))).ToList())).ToList());
        return new StageGraph(Compare, [.. data, .. controls, .. copies, comparison])
        {
            RootSeeds = RootSeeds(seeds, runSeed, i => ControlStages(s => SeedCopy(s, null, Number(i))).Select(c => c.Name)
                .Concat(variants.SelectMany(v => ArmStageNames.Select(s => SeedCopy(s, v.Name, Number(i)))))),
        };
    }

    /// <summary>Each seed copy's root seed, where it is not the run's own (so a one-seed run's stages are as before).</summary>
    private static Dictionary<string, long> RootSeeds(IReadOnlyList<long> seeds, long runSeed, Func<int, IEnumerable<string>> stagesOfSeed)
    {
        var roots = new Dictionary<string, long>(StringComparer.Ordinal);
        for (int i = 0; i < seeds.Count; i++)
            if (seeds[i] != runSeed)
                foreach (var stage in stagesOfSeed(i)) roots[stage] = seeds[i];
        return roots;
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

    private static readonly HashSet<string> DataStages = [LaionPrompts, HarmfulPrompts, Images, Dataset];

    /// <summary>
    /// Binds every section of the config that some part of the program owns, reporting all problems at once. The
    /// control's section is <c>safety-train</c>'s with <see cref="ControlTraining.Overrides"/> and then the keys of the
    /// config's own <c>control-train</c> section, if it has one, on top. For <c>compare</c>, each variant's stages get
    /// the shared section with the variant's overrides. Over several seeds each seed's copy reads the section of the
    /// stage it copies (<c>safety-train@seed-2</c>: <c>safety-train</c>; <c>safety-train@lt-seed-2</c>:
    /// <c>safety-train@lt</c>); its seed comes from the graph (<see cref="StageGraph.RootSeeds"/>), not from its section.
    /// </summary>
    public static StageConfigs BindAll(LoadedConfig loaded, string graphName = Full)
    {
        var document = WithControlSection(loaded.Document);
        var stages = AllStages().ToList();
        stages.Add(new ComparisonStage(new List<(string, string, string)>()));
        stages.Add(new SeedSummaryStage([]));
        if (graphName == Compare)
        {
            // A variant's sections are copies of the shared ones, located at the shared ones' lines; its own
            // settings at the compare section that names them (the built-in variants: at the file as a whole).
            var variantsAt = document.Locate(document.Find($"stages.{Comparison}"));
            foreach (var v in Variants(loaded))
            foreach (var plain in ArmStageNames)
            {
                var overrides = plain == SafetyTrain ? v.Set.Select(kv => $"{kv.Key}={kv.Value}") : [];
                document = document.WithCopiedSection($"stages.{plain}", $"stages.{Variant(plain, v.Name)}", overrides, variantsAt);
            }
            stages.AddRange(Graph(Compare, loaded, [RunSeed(loaded)]).Stages.Where(s => stages.All(x => x.Name != s.Name)));
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
        var configs = StageConfigs.Bind(stages, config, document, binder);
        var copies = SeedCopies(loaded, graphName);
        if (copies.Count == 0) return configs;
        // A section's own seed would give every seed's copy the same draws: the seeds would not be independent. A seed
        // a section inherits (the control's, copied from safety-train's) is reported once, where it is written.
        var seedBinder = new ConfigBinder(loaded.Document);
        foreach (var plain in SeededStageNames.Where(s => document.InheritedFrom($"stages.{s}.seed") is null))
            if (configs[plain] is FineTuneConfig { Seed: { } pinned })
                seedBinder.Report(loaded.Document.Find($"stages.{plain}.seed"), $"stages.{plain}.seed",
                    $"pins the stage's seed to {pinned}, so every one of the {RunSeedsOf(loaded).Count} seeds would train alike. Remove it, or run one seed (`seeds: 1`, `--seeds 1`).");
        seedBinder.ThrowIfAny();
        return configs.WithCopies(copies);
    }

    /// <summary>Each seed copy of <paramref name="graphName"/>'s seeded stages with the stage whose section it reads; none over one seed.</summary>
    private static List<(string Copy, string Source)> SeedCopies(LoadedConfig loaded, string graphName)
    {
        if (graphName is not (Full or Compare)) return [];
        var seeds = RunSeedsOf(loaded);
        if (seeds.Count == 1) return [];
        IReadOnlyList<string?> variants = graphName == Full ? [null] : Variants(loaded).Select(v => (string?)v.Name).ToList();
        return [.. from n in Enumerable.Range(1, seeds.Count)
                   select (SeedCopy(ControlTrain, null, n), ControlTrain),
                .. from v in variants
                   from n in Enumerable.Range(1, seeds.Count)
                   from s in ArmStageNames
                   select (SeedCopy(s, v, n), SeedCopy(s, v, null))];
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
