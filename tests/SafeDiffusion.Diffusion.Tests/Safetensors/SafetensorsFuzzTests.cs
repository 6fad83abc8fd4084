using System.Text;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Safetensors;
using SafeDiffusion.Testing;
using SafeDiffusion.Testing.Fuzzing;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Tests.Safetensors;

[CollectionDefinition(FuzzRunner.CollectionName, DisableParallelization = true)]
public sealed class SafetensorsFuzzCollection;

/// <summary>
/// Seeded mutations of a valid safetensors file (bit flips, truncations, the header length and every number in the
/// JSON header set to 0, -1, 2^31 and 2^63), each opened and loaded into a module as a component's weights are:
/// success or an InputDataException, never another exception, a hang or unbounded memory.
/// </summary>
[Collection(FuzzRunner.CollectionName)]
[Trait("Category", "Fuzz")]
public class SafetensorsFuzzTests(ITestOutputHelper output)
{
    private const int Cases = 240;

    [Fact]
    public void Mutated_safetensors_files_load_or_end_in_an_input_error()
    {
        LibTorchRuntime.EnsureLoadable();
        using var dir = new TempDirectory();
        var validPath = dir.File("valid.safetensors");
        using (var scope = torch.NewDisposeScope())
        {
            SafetensorsWriter.Write(validPath, new Dictionary<string, Tensor>
            {
                ["0.weight"] = torch.randn(3, 2),
                ["0.bias"] = torch.randn(3).to(ScalarType.Float16),
                ["1.weight"] = torch.randn(2, 3).to(ScalarType.BFloat16),
                ["1.bias"] = torch.randn(2),
            }, new Dictionary<string, string> { ["format"] = "pt" });
        }
        var original = File.ReadAllBytes(validPath);
        int headerEnd = 8 + (int)BitConverter.ToInt64(original, 0);
        // The header length, and every shape dimension and data offset written as decimal text in the JSON.
        var fields = ByteMutator.DecimalNumbers(original, 8, headerEnd).Prepend(NumberField.Binary64(0)).ToList();
        var mutator = new ByteMutator(original, fields, seed: 26);

        var path = dir.File("case.safetensors");
        var counts = FuzzRunner.Run("safetensors", mutator.Cases(Cases), c =>
        {
            File.WriteAllBytes(path, c.Bytes);
            using var scope = torch.NewDisposeScope();
            var module = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Linear(3, 2));
            using var file = SafetensorsFile.Open(path);
            ModuleWeightLoader.Load(module, [file]).ThrowIfMissing("fuzz");
        }, e => e is InputDataException, output);

        FuzzAssert.Held(counts, minimumCases: Cases, someMustRead: true);
    }
}
