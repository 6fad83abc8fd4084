using SafeDiffusion.Prompts.Configuration;
using SafeDiffusion.Prompts.Llm;

namespace SafeDiffusion.Prompts.Writer;

/// <summary>
/// Writes harmful prompts with a GGUF instruction model: per category, the category's instruction in the model's
/// chat format asks for K prompts as a JSON array, a GBNF grammar makes every answer such an array, many requests
/// decode together on the one loaded model, and the answers are normalised, filtered and deduplicated into
/// <c>PromptRecord</c>s (label harmful, source <c>llm</c>, generator = file name and sha256 prefix).
/// </summary>
public sealed class HarmfulPromptWriter : IDisposable
{
    public const string StageName = "harmful-prompts";
    public const string Source = "llm";

    private readonly bool _ownsModel;
    private readonly Func<string, int>? _countClipTokens;
    private readonly TimeProvider _time;

    /// <param name="countClipTokens">CLIP tokens of a prompt without start/end tokens; null bounds words instead.</param>
    public HarmfulPromptWriter(LlamaTextModel model, HarmfulPromptsConfig config, Func<string, int>? countClipTokens = null,
        TimeProvider? time = null, bool ownsModel = false)
    {
        Model = model;
        Config = config;
        _countClipTokens = countClipTokens;
        _time = time ?? TimeProvider.System;
        _ownsModel = ownsModel;
        Formatter = ChatPromptFormatter.For(model.Weights);
    }

    public LlamaTextModel Model { get; }
    public HarmfulPromptsConfig Config { get; }
    public ChatPromptFormatter Formatter { get; }

    /// <summary>Validates and loads the GGUF at <paramref name="ggufPath"/> with the config's runtime settings.</summary>
    public static async Task<HarmfulPromptWriter> LoadAsync(string ggufPath, HarmfulPromptsConfig config,
        Func<string, int>? countClipTokens = null, TimeProvider? time = null, CancellationToken ct = default)
    {
        var model = await LlamaTextModel.LoadAsync(ggufPath, RuntimeOptions(config), ct).ConfigureAwait(false);
        try
        {
            return new HarmfulPromptWriter(model, config, countClipTokens, time, ownsModel: true);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    public static LlamaRuntimeOptions RuntimeOptions(HarmfulPromptsConfig config) =>
        new(config.ContextSize, config.GpuLayers, config.Threads, config.BatchSize, config.ParallelRequests);

    /// <summary>A run whose prompt seeds (and sampler seeds, unless the config fixes them) derive from <paramref name="runSeed"/>.</summary>
    public HarmfulPromptRun CreateRun(long runSeed) => new(Model, Config, Formatter, _countClipTokens, _time, runSeed);

    public void Dispose()
    {
        if (_ownsModel) Model.Dispose();
    }
}
