namespace SafeDiffusion.Training.Stages;

/// <summary>
/// The <c>malicious-finetune</c> stage: plain diffusion fine-tuning (L_mse) on the harmful train rows, applied to the
/// base model and to the safe model with the same data order and noise. Defaults are the paper's attack: 20 steps,
/// lr 1e-5, batch 1.
/// </summary>
public sealed record MaliciousFinetuneConfig : FineTuneConfig
{
    public MaliciousFinetuneConfig()
    {
        Steps = 20;
        CheckpointEvery = 10;
    }
}
