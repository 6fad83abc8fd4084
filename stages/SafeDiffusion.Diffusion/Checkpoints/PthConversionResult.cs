namespace SafeDiffusion.Diffusion.Checkpoints;

/// <summary>What a conversion wrote: full paths, the source's layout, and the tensors' count and data size in bytes.</summary>
public sealed record PthConversionResult(string Source, string Destination, PthFormat SourceFormat, int TensorCount, long DataBytes);
