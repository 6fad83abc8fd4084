using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Schedulers;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Tests.Schedulers;

/// <summary>PNDM at fewer steps than its four-output multistep window; expected values are diffusers 0.21's.</summary>
public class PndmSchedulerTests
{
    private const string StableDiffusionV1 = """
        {"_class_name": "PNDMScheduler", "beta_start": 0.00085, "beta_end": 0.012, "beta_schedule": "scaled_linear",
         "skip_prk_steps": true, "set_alpha_to_one": false, "steps_offset": 1}
        """;

    public PndmSchedulerTests() => LibTorchRuntime.EnsureLoadable();

    [Theory]
    [InlineData("leading", 1, new double[] { 1 })]
    [InlineData("leading", 2, new double[] { 501, 1, 1 })]
    [InlineData("leading", 3, new double[] { 667, 334, 334, 1 })]
    [InlineData("linspace", 1, new double[] { 0 })]
    [InlineData("linspace", 2, new double[] { 999, 0, 0 })]
    [InlineData("trailing", 1, new double[] { 999 })]
    [InlineData("trailing", 3, new double[] { 999, 666, 666, 332 })]
    public void Skipping_the_warm_up_one_two_or_three_steps_give_diffusers_timesteps(string spacing, int steps, double[] expected)
    {
        int offset = spacing == "leading" ? 1 : 0;
        using var scheduler = SchedulerFactory.Create("pndm", SchedulerConfig.Parse(
            $$"""{"_class_name": "PNDMScheduler", "skip_prk_steps": true, "timestep_spacing": "{{spacing}}", "steps_offset": {{offset}}}""", "scheduler_config.json"));

        scheduler.SetTimesteps(steps);

        Assert.Equal(expected, scheduler.Timesteps);
    }

    [Fact]
    public void One_step_denoises_straight_to_the_final_alpha()
    {
        using var scheduler = SchedulerFactory.Create("pndm", SchedulerConfig.Parse(StableDiffusionV1, "scheduler_config.json"));
        using var scope = NewDisposeScope();
        scheduler.SetTimesteps(1);

        var previous = scheduler.Step(full(1, 1, 2, 2, 0.1f), scheduler.Timesteps[0], full(1, 1, 2, 2, 0.5f));

        Assert.Equal(0.49899962544441223, previous[0, 0, 0, 0].item<float>(), 6);
    }

    [Fact]
    public void The_runge_kutta_warm_up_with_fewer_than_four_steps_is_a_usage_error_naming_the_setting()
    {
        using var scheduler = SchedulerFactory.Create("pndm", SchedulerConfig.Parse(
            """{"_class_name": "PNDMScheduler", "skip_prk_steps": false}""", "scheduler_config.json"));

        var error = Assert.Throws<UsageException>(() => scheduler.SetTimesteps(3));

        Assert.Contains("skip_prk_steps", error.Message);
    }
}
