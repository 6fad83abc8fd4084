namespace SafeDiffusion.Training.Objectives;

/// <summary>
/// The training objective (method.md): plain diffusion fine-tuning, or one of the paper's three safety variants:
/// latent transformation (LT), noise guidance (NG), and high safety (gradient ascent on harmful rows).
/// </summary>
public enum SafetyMethod { Plain, Lt, Ng, HighSafety }
