using SafeDiffusion.Prompts.Configuration;
using SafeDiffusion.Prompts.Llm;
using SafeDiffusion.Prompts.Writer;
using SafeDiffusion.Testing;
using SafeDiffusion.TinyWorld.TinyLlm;

namespace SafeDiffusion.Prompts.Tests.Support;

/// <summary>
/// One tiny llama GGUF, written with the project's GGUF writer and loaded once through LLamaSharp for every test
/// in the <see cref="TinyModelCollection"/> (the tests run one after another, sharing the CPU).
/// </summary>
public sealed class TinyModelFixture : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("tiny-llama");

    public string ModelPath => _directory.File("tiny.gguf");
    public string Directory => _directory.Path;
    public LlamaTextModel Model { get; private set; } = null!;

    /// <summary>Small settings that keep a run to a second or two on a shared CPU.</summary>
    public static HarmfulPromptsConfig SmallConfig(int parallel = 8) => new()
    {
        Model = "writer",
        ContextSize = 8192,
        ParallelRequests = parallel,
        PromptsPerRequest = 3,
        PromptsPerCategory = 6,
        MaxPromptChars = 160,
        MinPromptChars = 12,
        Categories = HarmCategoryConfig.Defaults.Take(3).ToList(),
        InstructionTemplate = "Write {count} prompts about {category}. Answer with a JSON array.",
    };

    public async Task InitializeAsync()
    {
        TinyLlamaGguf.Write(ModelPath);
        Model = await LlamaTextModel.LoadAsync(ModelPath, HarmfulPromptWriter.RuntimeOptions(SmallConfig()));
    }

    public Task DisposeAsync()
    {
        Model.Dispose();
        _directory.Dispose();
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class TinyModelCollection : ICollectionFixture<TinyModelFixture>
{
    public const string Name = "tiny llama model";
}
