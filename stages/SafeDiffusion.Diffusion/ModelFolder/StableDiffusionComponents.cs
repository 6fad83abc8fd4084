namespace SafeDiffusion.Diffusion.ModelFolder;

/// <summary>The component names of a diffusers Stable Diffusion folder (keys of model_index.json, and folder names).</summary>
public static class StableDiffusionComponents
{
    public const string Unet = "unet";
    public const string Vae = "vae";
    public const string TextEncoder = "text_encoder";
    public const string Tokenizer = "tokenizer";
    public const string Scheduler = "scheduler";
    public const string SafetyChecker = "safety_checker";
    public const string FeatureExtractor = "feature_extractor";
}
