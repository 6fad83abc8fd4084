using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Schedulers;

namespace SafeDiffusion.Diffusion.Tests.Schedulers;

public class SchedulerFactoryTests
{
    public SchedulerFactoryTests() => LibTorchRuntime.EnsureLoadable();

    [Theory]
    [InlineData("pndm", typeof(PndmScheduler))]
    [InlineData("ddim", typeof(DdimScheduler))]
    [InlineData("ddpm", typeof(DdpmScheduler))]
    [InlineData("euler", typeof(EulerDiscreteScheduler))]
    [InlineData("euler_a", typeof(EulerAncestralDiscreteScheduler))]
    [InlineData("dpmpp_2m", typeof(DpmSolverMultistepScheduler))]
    public void Every_name_builds_its_scheduler_from_the_folder_config_whatever_its_class(string name, Type expected)
    {
        using var scheduler = SchedulerFactory.FromModelFolder(SdParity.Model(SdParity.Sd1), name);

        Assert.IsType(expected, scheduler);
        Assert.Equal(name, scheduler.Name);
    }

    [Fact]
    public void Without_a_name_the_folder_class_name_decides()
    {
        using var scheduler = SchedulerFactory.FromModelFolder(SdParity.Model(SdParity.Sd2));

        Assert.IsType<PndmScheduler>(scheduler);
        Assert.Equal(PredictionType.VPrediction, scheduler.PredictionType);
    }

    [Fact]
    public void Keys_the_folder_left_at_their_default_take_the_new_schedulers_default()
    {
        // The PNDM folder config lists timestep_spacing under _use_default_values, so Euler uses its own
        // default, linspace: 10 steps over [0, 999] are 999, 888, ..., 0 (the PNDM value, leading, would give 901...).
        using var scheduler = SchedulerFactory.FromModelFolder(SdParity.Model(SdParity.Sd1), "euler");
        scheduler.SetTimesteps(10);

        Assert.Equal([999, 888, 777, 666, 555, 444, 333, 222, 111, 0], scheduler.Timesteps);
    }

    [Fact]
    public void Python_style_infinity_in_a_config_is_read()
    {
        var config = SchedulerConfig.Parse("""{"_class_name": "DPMSolverMultistepScheduler", "lambda_min_clipped": -Infinity}""", "test.json");

        Assert.Equal(double.NegativeInfinity, config.LambdaMinClipped);
    }

    [Fact]
    public void An_unknown_scheduler_name_is_a_usage_error_listing_the_choices()
    {
        var error = Assert.Throws<UsageException>(() => SchedulerFactory.Create("heun", new SchedulerConfig()));

        Assert.Contains("euler_a", error.Message);
    }

    [Fact]
    public void An_unsupported_config_value_names_the_file_and_key()
    {
        var config = SchedulerConfig.Parse("""{"beta_schedule": "cubic"}""", "scheduler_config.json");

        var error = Assert.Throws<InputDataException>(() => SchedulerFactory.Create("ddim", config));

        Assert.Equal("beta_schedule", error.Field);
        Assert.Contains("scheduler_config.json", error.Message);
    }

    [Fact]
    public void Pndm_with_runge_kutta_warm_up_visits_the_diffusers_timesteps()
    {
        // diffusers 0.21, PNDMScheduler(skip_prk_steps=False, steps_offset=1), set_timesteps(10):
        // prk = [901, 851, 851, 801, 801, 751, 751, 701, 701, 651, 651, 601], plms = [601, 501, ..., 1].
        var config = new SchedulerConfig { SkipPrkSteps = false, StepsOffset = 1 };
        using var scheduler = SchedulerFactory.Create("pndm", config);
        scheduler.SetTimesteps(10);

        Assert.Equal([901, 851, 851, 801, 801, 751, 751, 701, 701, 651, 651, 601, 601, 501, 401, 301, 201, 101, 1], scheduler.Timesteps);
    }
}
