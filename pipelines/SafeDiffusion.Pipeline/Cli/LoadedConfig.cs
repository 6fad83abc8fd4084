using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Pipeline.Cli;

/// <summary>
/// A config file (or the embedded tiny default) with `--set` overrides applied and its top level bound. The
/// sections owned by stages and features are bound by <see cref="PipelineComposition"/> before anything runs.
/// </summary>
public sealed record LoadedConfig(ConfigDocument Document, PipelineConfig Config, string BaseDirectory)
{
    public const string EmbeddedTinyName = "configs/tiny.yaml (built in)";

    public static LoadedConfig Load(string? path, IReadOnlyList<string> overrides, string workingDirectory) =>
        // Without --config the built-in tiny profile runs; pass --config configs/tiny.yaml to run an edited copy.
        Bind(path is null
            ? ConfigDocument.Parse(EmbeddedConfigs.Read("tiny.yaml"), EmbeddedTinyName)
            : ConfigDocument.Load(Core.IO.UserPath.Full(path, workingDirectory)), overrides, workingDirectory);

    /// <summary>A config compiled into the program (<c>tiny.yaml</c>, <c>tiny-smoke.yaml</c>, ...), with overrides.</summary>
    public static LoadedConfig LoadBuiltIn(string fileName, IReadOnlyList<string> overrides, string workingDirectory) =>
        Bind(ConfigDocument.Parse(EmbeddedConfigs.Read(fileName), $"configs/{fileName} (built in)"), overrides, workingDirectory);

    private static LoadedConfig Bind(ConfigDocument document, IReadOnlyList<string> overrides, string workingDirectory)
    {
        // Relative paths in a config are read from where the command runs, like every other path argument.
        var baseDirectory = workingDirectory;
        document = document.WithOverrides(overrides);
        var binder = new ConfigBinder(document);
        var config = binder.Bind<PipelineConfig>(document.Root, "");
        binder.ThrowIfAny();
        return new LoadedConfig(document, config, baseDirectory);
    }
}

/// <summary>Configs compiled into the program, so `pipeline run full` works from any folder.</summary>
public static class EmbeddedConfigs
{
    public static string Read(string name)
    {
        var assembly = typeof(EmbeddedConfigs).Assembly;
        using var stream = assembly.GetManifestResourceStream($"configs/{name}")
                           ?? throw new UsageException($"No built-in config named {name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public static IEnumerable<string> Names() =>
        typeof(EmbeddedConfigs).Assembly.GetManifestResourceNames().Where(n => n.StartsWith("configs/", StringComparison.Ordinal)).Select(n => n["configs/".Length..]);
}
