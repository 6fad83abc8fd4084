namespace SafeDiffusion.Training.Checkpoints;

/// <summary>
/// How a written model folder gets the components training did not change (VAE, text encoder, tokenizer, scheduler,
/// safety checker): <see cref="HardLink"/> links each file (no extra space; a copy where the file system cannot link),
/// <see cref="Copy"/> copies them, <see cref="SymbolicLink"/> points each component folder at the base model's (smallest,
/// but the folder then depends on the base model staying where it is). Every loader reads all three the same way.
/// </summary>
public enum FrozenComponentMode { HardLink, Copy, SymbolicLink }
