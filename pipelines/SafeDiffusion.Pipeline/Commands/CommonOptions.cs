using System.CommandLine;

namespace SafeDiffusion.Pipeline.Commands;

/// <summary>Options several commands share, so they read the same everywhere.</summary>
internal static class CommonOptions
{
    public static Option<string?> Config() => new("--config", "-c")
    {
        Description = "YAML config file (default: the built-in tiny profile, configs/tiny.yaml).",
        HelpName = "FILE",
    };

    public static Option<string[]> Set() => new("--set")
    {
        Description = "Override a config value: --set stages.images.batchSize=2 (repeatable).",
        HelpName = "KEY=VALUE",
        AllowMultipleArgumentsPerToken = false,
    };

    public static Option<string?> Runs() => new("--runs")
    {
        Description = "Runs folder (default: the config's runs.root, usually ./runs).",
        HelpName = "DIR",
    };

    public static Option<string?> Run(string description) => new("--run")
    {
        Description = description,
        HelpName = "ID|latest",
    };
}
