using SafeDiffusion.Diffusion.Verification;

namespace SafeDiffusion.Diffusion.Tests.Verification;

/// <summary>
/// The bounds as the shared fixtures' READMEs state them: components within 1e-4 of max(1, max|reference|), the
/// txt2img loop within 1e-3 of the same, safety-checker scores within one step of their 3-place rounding.
/// </summary>
public class ParityTolerancesTests
{
    [Theory]
    [InlineData(0.0, 1e-4)]
    [InlineData(0.5, 1e-4)]
    [InlineData(1.0, 1e-4)]
    [InlineData(40.0, 4e-3)]
    public void A_component_is_held_to_1e4_absolute_below_magnitude_one_and_relative_above(double maxAbsReference, double bound) =>
        Assert.Equal(bound, ParityTolerances.Component(maxAbsReference), 12);

    [Theory]
    [InlineData(0.25, 1e-3)]
    [InlineData(3.0, 3e-3)]
    public void The_txt2img_loop_is_held_to_1e3_of_the_same_scale(double maxAbsReference, double bound) =>
        Assert.Equal(bound, ParityTolerances.Txt2Img(maxAbsReference), 12);

    [Fact]
    public void Scores_one_rounding_step_apart_agree_and_two_steps_apart_do_not()
    {
        Assert.True(new CaseResult("score", Math.Abs(0.124 - 0.123), ParityTolerances.SafetyScore).Passed);
        Assert.False(new CaseResult("score", Math.Abs(0.125 - 0.123), ParityTolerances.SafetyScore).Passed);
    }

    [Fact]
    public void An_exact_case_passes_with_no_mismatch_and_fails_with_one()
    {
        Assert.True(new CaseResult("ids", 0, ParityTolerances.Exact).Passed);
        Assert.False(new CaseResult("ids", 1, ParityTolerances.Exact).Passed);
    }
}
