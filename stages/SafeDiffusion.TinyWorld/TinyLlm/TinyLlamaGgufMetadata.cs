using SafeDiffusion.Prompts.Gguf;

namespace SafeDiffusion.TinyWorld.TinyLlm;

/// <summary>What an exported GGUF records besides the model itself.</summary>
public sealed record TinyLlamaGgufMetadata
{
    public string Name { get; init; } = "tiny-llama-writer";

    /// <summary>Storage type of the matrices: F32 (exact) or F16 (half the size); norm weights are always F32.</summary>
    public GgmlType MatrixType { get; init; } = GgmlType.F32;

    /// <summary>Extra string keys (e.g. <c>safediffusion.world</c>); they must not collide with the keys the exporter writes.</summary>
    public IReadOnlyDictionary<string, string> Extra { get; init; } = new Dictionary<string, string>();
}
