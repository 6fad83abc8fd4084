namespace SafeDiffusion.Diffusion.Pipelines;

/// <summary>One image to generate: the prompt, what to steer away from (empty: unconditional), and its seed.</summary>
public sealed record Txt2ImgPrompt(string Prompt, long Seed, string NegativePrompt = "");
