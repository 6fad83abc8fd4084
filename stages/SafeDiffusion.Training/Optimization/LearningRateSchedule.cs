namespace SafeDiffusion.Training.Optimization;

/// <summary>
/// Learning rate per optimizer step as diffusers' <c>get_scheduler</c> gives it (LambdaLR semantics): step k (0-based,
/// the number of steps already taken) uses <c>base * f(k)</c> where f rises linearly from 0 over the warm-up steps,
/// then stays at 1 (constant) or follows half a cosine down to 0 at <see cref="TotalSteps"/> (cosine).
/// </summary>
public sealed record LearningRateSchedule(double BaseRate, LearningRateScheduleKind Kind, int WarmupSteps, int TotalSteps)
{
    public double RateAt(int step) => BaseRate * Factor(step);

    public double Factor(int step)
    {
        if (step < WarmupSteps) return step / (double)Math.Max(1, WarmupSteps);
        if (Kind == LearningRateScheduleKind.Constant) return 1.0;
        double progress = (step - WarmupSteps) / (double)Math.Max(1, TotalSteps - WarmupSteps);
        return Math.Max(0.0, 0.5 * (1.0 + Math.Cos(Math.PI * progress)));
    }
}
