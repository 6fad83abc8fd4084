using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Diffusion.Schedulers;

/// <summary>
/// Creates schedulers by short name or by diffusers class name. Any scheduler can be built from any folder's
/// config (as diffusers' <c>from_config</c>): keys a scheduler does not use are ignored, absent keys take that
/// scheduler's defaults, so a YAML choice of sampler works whatever <c>_class_name</c> the model folder has.
/// </summary>
public static class SchedulerFactory
{
    private static readonly IReadOnlyDictionary<string, string> ClassNames = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["PNDMScheduler"] = "pndm",
        ["DDIMScheduler"] = "ddim",
        ["DDPMScheduler"] = "ddpm",
        ["EulerDiscreteScheduler"] = "euler",
        ["EulerAncestralDiscreteScheduler"] = "euler_a",
        ["DPMSolverMultistepScheduler"] = "dpm_multistep",
    };

    /// <summary>The names <see cref="Create"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["pndm", "ddim", "ddpm", "euler", "euler_a", "dpmpp_2m"];

    public static bool IsKnown(string name) => Names.Contains(name, StringComparer.Ordinal);

    /// <summary>The scheduler <paramref name="name"/> configured from <paramref name="config"/>.</summary>
    /// <exception cref="UsageException">For an unknown name.</exception>
    public static IScheduler Create(string name, SchedulerConfig config) => name switch
    {
        "pndm" => new PndmScheduler(config),
        "ddim" => new DdimScheduler(config),
        "ddpm" => new DdpmScheduler(config),
        "euler" => new EulerDiscreteScheduler(config),
        "euler_a" => new EulerAncestralDiscreteScheduler(config),
        // The name promises DPM++ of order 2, whatever the folder's DPM settings say.
        "dpmpp_2m" => new DpmSolverMultistepScheduler(config with { AlgorithmType = "dpmsolver++", SolverOrder = 2 }),
        _ => throw new UsageException($"Unknown scheduler '{name}'; choose one of {string.Join(", ", Names)}."),
    };

    /// <summary>The scheduler the config's own <c>_class_name</c> names.</summary>
    /// <exception cref="InputDataException">When the class is missing or not one this port implements.</exception>
    public static IScheduler FromConfig(SchedulerConfig config)
    {
        if (config.ClassName is null || !ClassNames.TryGetValue(config.ClassName, out var name))
            throw new InputDataException(config.Source,
                config.ClassName is null ? "has no _class_name." : $"names {config.ClassName}, which this port does not implement.",
                "_class_name", $"Pick one of {string.Join(", ", Names)} explicitly.");
        return name == "dpm_multistep" ? new DpmSolverMultistepScheduler(config) : Create(name, config);
    }

    /// <summary><paramref name="name"/> (or, when null, the folder's own scheduler) from <c>scheduler/scheduler_config.json</c>.</summary>
    public static IScheduler FromModelFolder(string modelDirectory, string? name = null)
    {
        var config = SchedulerConfig.Read(Path.Combine(modelDirectory, "scheduler", "scheduler_config.json"));
        return name is null ? FromConfig(config) : Create(name, config);
    }
}
