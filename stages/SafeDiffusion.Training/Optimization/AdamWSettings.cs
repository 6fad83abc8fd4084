namespace SafeDiffusion.Training.Optimization;

/// <summary>AdamW hyper-parameters; the defaults are those of the diffusers training scripts the paper's code builds on.</summary>
public sealed record AdamWSettings
{
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double Epsilon { get; init; } = 1e-8;
    public double WeightDecay { get; init; } = 1e-2;
}
