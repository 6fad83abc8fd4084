namespace SafeDiffusion.Diffusion.Checkpoints;

/// <summary>A pickle stream the reader cannot follow: truncated, an unknown opcode, or an object it will not build.</summary>
public sealed class PickleFormatException(string message) : Exception(message);
