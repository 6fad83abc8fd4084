using System.Text;
using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Testing.Fuzzing;
using Xunit.Abstractions;

namespace SafeDiffusion.Core.Tests.Configuration;

[CollectionDefinition(FuzzRunner.CollectionName, DisableParallelization = true)]
public sealed class ConfigFuzzCollection;

/// <summary>
/// Seeded mutations of the shipped tiny config (bit flips, truncations, its numbers set to 0, -1, 2^31 and 2^63):
/// each parses and binds, or ends in a ConfigException; never another exception, a hang or unbounded memory.
/// </summary>
[Collection(FuzzRunner.CollectionName)]
[Trait("Category", "Fuzz")]
public class ConfigFuzzTests(ITestOutputHelper output)
{
    private const int Cases = 240;

    [Fact]
    public void Mutated_tiny_configs_bind_or_end_in_a_config_error()
    {
        var original = File.ReadAllBytes(TinyConfigPath());
        var mutator = new ByteMutator(original, ByteMutator.DecimalNumbers(original), seed: 26);

        var counts = FuzzRunner.Run("yaml (configs/tiny.yaml)", mutator.Cases(Cases), c =>
        {
            var document = ConfigDocument.Parse(Encoding.UTF8.GetString(c.Bytes), "tiny.yaml")
                .WithOverrides(["stages.images.batchSize=2"]);
            var binder = new ConfigBinder(document);
            binder.Bind<PipelineConfig>(document.Root, "");
            binder.ThrowIfAny();
            _ = document.Sha256();
        }, e => e is ConfigException or UsageException, output);

        FuzzAssert.Held(counts, minimumCases: Cases, someMustRead: true);
    }

    private static string TinyConfigPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SafeDiffusion.Pipeline.sln")))
                return Path.Combine(dir.FullName, "configs", "tiny.yaml");
        throw new InvalidOperationException($"no SafeDiffusion.Pipeline.sln above {AppContext.BaseDirectory}; run the tests from a checkout.");
    }
}
