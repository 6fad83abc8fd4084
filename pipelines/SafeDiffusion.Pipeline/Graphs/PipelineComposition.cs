using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Datasets.Stages;
using SafeDiffusion.Diffusion.Tokenization;
using SafeDiffusion.Evaluation.Stages;
using SafeDiffusion.Training.Stages;
using SafeDiffusion.Images.Generation;
using SafeDiffusion.Pipeline.Cli;
using SafeDiffusion.Prompts.Stages;

namespace SafeDiffusion.Pipeline.Graphs;

/// <summary>
/// The composition root: which stages exist, how the named graphs are assembled from them, and which extra config
/// sections and model resolvers the program knows. Stages stay ignorant of one another; only this class lists them.
/// </summary>
public static class PipelineComposition
{
    public const string Full = "full";
    public const string Data = "data";

    public static IReadOnlyList<string> GraphNames => [Full, Data];

    private static IReadOnlyList<IStage> AllStages()
    {
        var prompts = new ParquetPromptArtifactStore();
        return
        [
            new LaionPromptsStage(prompts),
            new HarmfulPromptsStage(prompts, folder => ClipTokenizer.FromFolder(folder).CountTokens),
            new ImageGenerationStage(),
            new DatasetStage(),
            new SafetyTrainStage(),
            new MaliciousFinetuneStage(),
            new EvaluationStage(JudgeProviders()),
        ];
    }

    /// <summary>A named graph: <c>full</c> (everything) or <c>data</c> (prompts, images, dataset: nightly regeneration).</summary>
    public static StageGraph Graph(string name)
    {
        var stages = AllStages();
        return name switch
        {
            Full => new StageGraph(Full, stages),
            Data => new StageGraph(Data, stages.Where(s => DataStages.Contains(s.Name))),
            _ => throw new Core.Errors.UsageException($"No graph named '{name}'; graphs: {string.Join(", ", GraphNames)}."),
        };
    }

    private static readonly HashSet<string> DataStages = ["laion-prompts", "harmful-prompts", "images", "dataset"];

    /// <summary>Binds every section of the config that some part of the program owns, reporting all problems at once.</summary>
    public static StageConfigs BindAll(LoadedConfig loaded)
    {
        var binder = new ConfigBinder(loaded.Document.SourceName);
        // The schedule is `pipeline serve`'s, but a typo in it should not wait for the first night to surface.
        if (loaded.Config.Schedule is { } schedule) binder.Bind<Scheduling.Configuration.ScheduleConfig>(schedule, Scheduling.Configuration.ScheduleConfig.SectionName);
        // Every stage's section is checked, not only the selected graph's: a typo in the evaluation settings
        // should fail a data-only run too, before hours of generation.
        return StageConfigs.Bind(Graph(Full).Stages, loaded.Config, loaded.Document, binder);
    }

    public static IReadOnlyList<IModelResolver> ModelResolvers(LoadedConfig loaded) => [];

    /// <summary>Who can judge evaluation images, by the `kind` a config names.</summary>
    private static IReadOnlyList<IEvaluationJudgeProvider> JudgeProviders() =>
        [new SafetyCheckerJudgeProvider(), new OnnxJudgeProvider(), new InceptionFeatureProvider()];
}
