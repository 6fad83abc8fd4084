using SafeDiffusion.Training.Optimization;

namespace SafeDiffusion.Training.Engine;

/// <summary>The optimisation side of a training run: steps, learning rate and its schedule, AdamW, accumulation, clipping, seed.</summary>
public sealed record TrainerSettings
{
    /// <summary>Optimizer steps to take.</summary>
    public int Steps { get; init; } = 200;

    public double LearningRate { get; init; } = 1e-5;

    public LearningRateScheduleKind Schedule { get; init; } = LearningRateScheduleKind.Constant;

    public int WarmupSteps { get; init; }

    public AdamWSettings Adam { get; init; } = new();

    /// <summary>Batches whose gradients are averaged into one optimizer step (an epoch's end also ends a step, as accelerate does).</summary>
    public int GradientAccumulation { get; init; } = 1;

    /// <summary>Gradient 2-norm limit; 0 turns clipping off (the norm is still measured).</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>Root of the run's noise, timestep and centre seeds (each micro-batch derives its own).</summary>
    public long Seed { get; init; }

    public LearningRateSchedule LearningRateSchedule => new(LearningRate, Schedule, WarmupSteps, Steps);

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(GradientAccumulation, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(WarmupSteps);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxGradNorm);
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "must be positive.");
    }
}
