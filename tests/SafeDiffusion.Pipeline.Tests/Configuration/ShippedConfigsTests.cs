using SafeDiffusion.Pipeline.Cli;
using SafeDiffusion.Pipeline.Graphs;
using SafeDiffusion.Pipeline.Tests.Support;

namespace SafeDiffusion.Pipeline.Tests.Configuration;

/// <summary>Every profile in configs/ validates completely, so a user's first run never trips on a shipped file.</summary>
public class ShippedConfigsTests
{
    public static TheoryData<string> Profiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(ConfigsFolder(), "*.yaml").Order()) data.Add(Path.GetFileName(file));
        return data;
    }

    private static string ConfigsFolder() => RepositoryFolders.Configs;

    [Trait("Category", "Slow")]
    [Theory]
    [MemberData(nameof(Profiles))]
    public void A_shipped_profile_binds_every_section_without_errors(string file)
    {
        var loaded = LoadedConfig.Load(Path.Combine(ConfigsFolder(), file), [], ConfigsFolder());
        foreach (var graph in PipelineComposition.GraphNames)
            PipelineComposition.BindAll(loaded, graph);
    }

    [Fact]
    public void The_built_in_default_is_the_tiny_profile_file()
    {
        var builtIn = LoadedConfig.Load(null, [], ConfigsFolder());
        var file = LoadedConfig.Load(Path.Combine(ConfigsFolder(), "tiny.yaml"), [], ConfigsFolder());
        Assert.Equal(file.Document.Sha256(), builtIn.Document.Sha256());
        Assert.Equal("tiny", builtIn.Config.Name);
    }
}
