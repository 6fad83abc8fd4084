namespace SafeDiffusion.TinyWorld.TinyLlm;

/// <summary>Where the model is, its recipe key, whether an existing file was reused, and the training report when not.</summary>
public sealed record TinyLlamaGgufResult(string Path, string RecipeKey, bool Reused, TinyLlamaTrainingReport? Report);
