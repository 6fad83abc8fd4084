namespace SafeDiffusion.TinyWorld.Pretraining;

/// <summary>
/// How a base model was built (<c>pretraining.json</c> in its folder): each phase's figures and times, the latent
/// scaling factor, and the classifier's view of VAE reconstructions beside the original renders.
/// </summary>
/// <param name="LatentMean">Mean of the scaled training latents (the scaling makes their std 1; the mean is not shifted).</param>
/// <param name="ReconstructionCheck">Classifier figures on held-out renders and on their VAE reconstructions.</param>
public sealed record PretrainingReport(
    int TrainPairs,
    int Threads,
    double RenderSeconds,
    VaeTrainingReport Vae,
    double ScalingFactor,
    double LatentMean,
    ReconstructionCheck ReconstructionCheck,
    DenoiserTrainingReport Denoiser,
    double GateSeconds,
    double WallSeconds,
    double CpuSeconds,
    long VaeParameters,
    long UnetParameters,
    long TextEncoderParameters);

/// <summary>
/// Whether VAE reconstructions keep what the classifier looks for: the share of held-out renders (and of their
/// reconstructions) whose harmful verdict is right and whose shapes and colours are all found.
/// </summary>
public sealed record ReconstructionCheck(int Images, double RenderHarmfulAccuracy, double ReconstructedHarmfulAccuracy, double RenderAdherence,
    double ReconstructedAdherence, double MeanAbsoluteError);
