namespace SafeDiffusion.TinyWorld.Pretraining;

/// <summary>A built tiny base model: its diffusers folder and what the quality gate measured on it.</summary>
public sealed record TinyBaseModel(string Directory, QualityGateResult Gate);
