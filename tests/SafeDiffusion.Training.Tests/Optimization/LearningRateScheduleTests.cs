using SafeDiffusion.Training.Optimization;

namespace SafeDiffusion.Training.Tests.Optimization;

public sealed class LearningRateScheduleTests
{
    [Theory]
    [InlineData(0, 0.0)]   // warm-up starts at zero, as diffusers' LambdaLR does
    [InlineData(1, 0.5)]
    [InlineData(2, 1.0)]   // warm-up done: top of the cosine
    [InlineData(6, 0.5)]   // half way through the 8 decay steps: cos(pi / 2) = 0
    [InlineData(10, 0.0)]
    public void Cosine_with_warmup_rises_linearly_then_follows_half_a_cosine(int step, double factor)
    {
        var schedule = new LearningRateSchedule(2e-4, LearningRateScheduleKind.Cosine, WarmupSteps: 2, TotalSteps: 10);
        Assert.Equal(2e-4 * factor, schedule.RateAt(step), 1e-12);
    }

    [Theory]
    [InlineData(0, 0.0)]
    [InlineData(2, 0.5)]
    [InlineData(4, 1.0)]
    [InlineData(99, 1.0)]
    public void Constant_with_warmup_holds_the_base_rate_after_warming_up(int step, double factor)
    {
        var schedule = new LearningRateSchedule(1e-5, LearningRateScheduleKind.Constant, WarmupSteps: 4, TotalSteps: 100);
        Assert.Equal(1e-5 * factor, schedule.RateAt(step), 1e-15);
    }

    [Fact]
    public void Cosine_without_warmup_starts_at_the_base_rate()
    {
        var schedule = new LearningRateSchedule(1e-5, LearningRateScheduleKind.Cosine, WarmupSteps: 0, TotalSteps: 4);
        Assert.Equal(1e-5, schedule.RateAt(0), 1e-15);
        // progress 1/4: 0.5 * (1 + cos(pi / 4))
        Assert.Equal(1e-5 * 0.5 * (1 + Math.Sqrt(0.5)), schedule.RateAt(1), 1e-15);
    }
}
