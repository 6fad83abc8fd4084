using SafeDiffusion.Pipeline.Cli;
using SafeDiffusion.Training.Objectives;
using SafeDiffusion.Training.Stages;
using SafeDiffusion.Evaluation.Stages;
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

    [Fact]
    public void The_built_in_compare_variants_set_apart_the_papers_methods_and_the_public_codes()
    {
        var loaded = LoadedConfig.Load(Path.Combine(ConfigsFolder(), "tiny.yaml"), [], ConfigsFolder());
        var configs = PipelineComposition.BindAll(loaded, PipelineComposition.Compare);
        SafetyTrainConfig Variant(string name) => configs.Get<SafetyTrainConfig>($"safety-train@{name}");

        foreach (var (name, method) in new[] { ("lt", SafetyMethod.Lt), ("ng", SafetyMethod.Ng), ("high-safety", SafetyMethod.HighSafety) })
        {
            Assert.Equal((method, true), (Variant(name).Method, Variant(name).ContrastGradient));
            Assert.Equal((method, false), (Variant($"{name}-public-code").Method, Variant($"{name}-public-code").ContrastGradient));
        }
        var publicNg = Variant("ng-lambda-5e-3");
        Assert.Equal((SafetyMethod.Ng, 5e-3, true), (publicNg.Method, publicNg.Lambda, publicNg.ContrastGradient));
        // The plain clean fine-tune is no variant but the one control all of them take: safety-train's section with
        // method and rows overridden, so it trains with the same steps, rate, batch and seed.
        Assert.DoesNotContain(ComparisonVariant.Defaults, v => v.Set.GetValueOrDefault("method") == "plain");
        var control = configs.Get<SafetyTrainConfig>(ControlTraining.StageName);
        var safety = configs.Get<SafetyTrainConfig>(SafetyTrainStage.StageName);
        Assert.Equal((SafetyMethod.Plain, TrainingRows.CleanOnly), (control.Method, control.Rows));
        Assert.Equal(safety with { Method = SafetyMethod.Plain, Rows = TrainingRows.CleanOnly }, control);
    }

    [Fact]
    public void The_control_takes_safety_trainings_settings_with_the_keys_of_its_own_section_on_top()
    {
        var loaded = LoadedConfig.Load(Path.Combine(ConfigsFolder(), "tiny.yaml"),
            ["stages.safety-train.learning-rate=3e-4", "stages.control-train.steps=50"], ConfigsFolder());
        var configs = PipelineComposition.BindAll(loaded);
        var control = configs.Get<SafetyTrainConfig>(ControlTraining.StageName);
        Assert.Equal((3e-4, 50, SafetyMethod.Plain, TrainingRows.CleanOnly), (control.LearningRate, control.Steps, control.Method, control.Rows));
        // The control's own keys stay its own: safety training keeps the file's steps.
        var plain = PipelineComposition.BindAll(LoadedConfig.Load(Path.Combine(ConfigsFolder(), "tiny.yaml"), [], ConfigsFolder()));
        Assert.Equal(plain.Get<SafetyTrainConfig>(SafetyTrainStage.StageName).Steps, configs.Get<SafetyTrainConfig>(SafetyTrainStage.StageName).Steps);
    }
}
