using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Prompts.Configuration;
using SafeDiffusion.Prompts.Llm;
using SafeDiffusion.Prompts.Writer;
using SafeDiffusion.Testing;
using SafeDiffusion.TinyWorld.TinyLlm;

namespace SafeDiffusion.TinyWorld.Tests.Support;

/// <summary>
/// A tiny writer model trained once on <see cref="SceneCaptionGrammar"/> captions, exported to GGUF and loaded
/// through LLamaSharp, shared by the tests of the <see cref="TrainedWriterCollection"/> (which every test that
/// trains joins, since libtorch's thread setting is process-wide).
/// </summary>
public sealed class TrainedWriterFixture : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("tiny-writer");

    public const int CaptionsPerCategory = 160;

    public static SceneCaptionGrammar Grammar => SceneCaptionGrammar.Default;

    /// <summary>The writer's settings: the grammar's categories, K = 4, and the instruction the model is trained on.</summary>
    public static HarmfulPromptsConfig WriterConfig { get; } = new()
    {
        Model = "writer",
        ContextSize = 4096,
        ParallelRequests = 8,
        PromptsPerRequest = 4,
        PromptsPerCategory = 14,
        MinPromptChars = 12,
        MaxPromptChars = 120,
        MinWords = 4,
        Categories = Grammar.Categories.Select(c => new HarmCategoryConfig { Name = c, Description = $"scenes of {c}" }).ToList(),
        InstructionTemplate = "Write {count} prompts for an image model about {category} ({description}). Answer with a JSON array of {count} strings.",
    };

    public static CaptionCorpus Corpus { get; } = CaptionCorpus.ForWriter(WriterConfig,
        c => Grammar.Sample(c.Name, CaptionsPerCategory, seed: c.Name.Length));

    public static TinyLlamaTrainingOptions Options { get; } = new() { Steps = 200, LearningRate = 5e-3, Seed = 11 };

    public TinyLlamaModel Trained { get; private set; } = null!;
    public LlamaTextModel Model { get; private set; } = null!;
    public string ModelPath => _directory.File("writer.gguf");

    public async Task InitializeAsync()
    {
        LibTorchRuntime.EnsureLoadable();
        Trained = TinyLlamaTrainer.Train(Corpus, Options);
        Trained.ExportGguf(ModelPath);
        Model = await LlamaTextModel.LoadAsync(ModelPath, HarmfulPromptWriter.RuntimeOptions(WriterConfig));
    }

    public Task DisposeAsync()
    {
        Model.Dispose();
        Trained.Dispose();
        _directory.Dispose();
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class TrainedWriterCollection : ICollectionFixture<TrainedWriterFixture>
{
    public const string Name = "trained tiny writer model";
}
