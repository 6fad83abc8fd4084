using SafeDiffusion.Evaluation.Stages;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Pipeline.Cli;
using SafeDiffusion.Pipeline.Graphs;
using SafeDiffusion.Pipeline.Tests.Support;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Pipeline.Tests.Configuration;

/// <summary>A mistake in a shipped profile's settings is reported where the user made it: a --set, or a line of the file.</summary>
public sealed class ConfigErrorLocationTests : IDisposable
{
    private readonly TempDirectory _dir = new("config-errors");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_bad_set_value_names_the_set_it_came_from()
    {
        var loaded = LoadedConfig.Load(null, ["world.pretraining.denoiser.steps=0"], _dir.Path);

        var e = Assert.Throws<ConfigException>(() => PipelineComposition.BindAll(loaded));

        var issue = Assert.Single(e.Issues);
        Assert.Equal("world.pretraining.denoiser.steps", issue.KeyPath);
        Assert.Equal("--set world.pretraining.denoiser.steps=0", issue.Location.ToString());
    }

    [Fact]
    public void A_bad_value_in_a_section_that_compare_copies_for_its_variants_is_reported_at_its_line_in_the_file()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryFolders.Configs, "tiny.yaml"));
        int section = Array.FindIndex(lines, l => l == "  safety-train:");
        int steps = Array.FindIndex(lines, section, l => l.StartsWith("    steps: ", StringComparison.Ordinal));
        lines[steps] = "    steps: 0";
        var path = _dir.File("tiny.yaml");
        File.WriteAllLines(path, lines);

        var e = Assert.Throws<ConfigException>(() => PipelineComposition.BindAll(LoadedConfig.Load(path, [], _dir.Path), PipelineComposition.Compare));

        // The shared section, the control's copy of it and each built-in variant's copy.
        Assert.Equal(2 + ComparisonVariant.Defaults.Count, e.Issues.Count(i => i.KeyPath.EndsWith(".steps", StringComparison.Ordinal)));
        Assert.Contains(e.Issues, i => i.KeyPath == "stages.control-train.steps");
        Assert.All(e.Issues, i => Assert.Equal(new SourceLocation(path, steps + 1, 12), i.Location));
        Assert.Contains(e.Issues, i => i.KeyPath == "stages.safety-train@lt.steps");
    }
}
