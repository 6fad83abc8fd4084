using LLama;
using LLama.Common;
using LLama.Exceptions;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.IO;
using SafeDiffusion.Prompts.Gguf;

namespace SafeDiffusion.Prompts.Llm;

/// <summary>
/// A GGUF text model loaded through LLamaSharp after <see cref="GgufValidator"/> accepted it, with its file hash
/// and the generator id that records name it (file name and sha256 prefix).
/// </summary>
public sealed class LlamaTextModel : IDisposable
{
    private LlamaTextModel(string path, LLamaWeights weights, GgufModelSummary summary, string sha256, LlamaRuntimeOptions options)
    {
        Path = path;
        Weights = weights;
        Summary = summary;
        Sha256 = sha256;
        Options = options;
    }

    public string Path { get; }
    public LLamaWeights Weights { get; }
    public GgufModelSummary Summary { get; }
    public string Sha256 { get; }
    public LlamaRuntimeOptions Options { get; }

    /// <summary><c>file.gguf@0123456789ab</c>: what a prompt's generator field records.</summary>
    public string Generator => $"{System.IO.Path.GetFileName(Path)}@{Sha256[..12]}";

    /// <summary>Validates the file's header in managed code, hashes it, and loads it with llama.cpp.</summary>
    public static async Task<LlamaTextModel> LoadAsync(string path, LlamaRuntimeOptions options, CancellationToken ct = default)
    {
        LlamaNativeLog.EnsureRouted();
        var summary = GgufValidator.ValidateForTextGeneration(path);
        var sha = await FileHash.Sha256Async(path, ct).ConfigureAwait(false);
        try
        {
            var weights = await LLamaWeights.LoadFromFileAsync(CreateParameters(path, options), ct).ConfigureAwait(false);
            return new LlamaTextModel(path, weights, summary, sha, options);
        }
        catch (LoadWeightsFailedException e)
        {
            throw new InputDataException(path, "llama.cpp could not load it" + Quote(LlamaNativeLog.Shared.Describe()) + ".",
                fix: "Check that the file is a complete GGUF model supported by this llama.cpp build.", inner: e);
        }
    }

    /// <summary>Parameters for a context (KV cache) of this model with the runtime options.</summary>
    public ModelParams CreateContextParameters() => CreateParameters(Path, Options);

    public void Dispose() => Weights.Dispose();

    internal static string Quote(string? log) => log is null ? "" : $" (llama.cpp: {log})";

    /// <summary>
    /// With layers offloaded the model stays whole on <see cref="LlamaRuntimeOptions.MainGpu"/> (split mode none):
    /// llama.cpp's default spreads layers over every visible GPU, outside the scheduler's lease.
    /// </summary>
    internal static ModelParams CreateParameters(string path, LlamaRuntimeOptions o) => new(path)
    {
        ContextSize = (uint)o.ContextSize,
        GpuLayerCount = o.GpuLayers,
        MainGpu = o.MainGpu,
        SplitMode = o.GpuLayers > 0 ? LLama.Native.GPUSplitMode.None : null,
        Threads = o.Threads > 0 ? o.Threads : null,
        BatchThreads = o.Threads > 0 ? o.Threads : null,
        BatchSize = (uint)o.BatchSize,
        UBatchSize = (uint)Math.Min(o.BatchSize, 512),
        SeqMax = (uint)o.SequenceCount,
    };
}
