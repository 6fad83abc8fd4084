using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Safetensors;
using SafeDiffusion.Pipeline.Cli;
using SafeDiffusion.Testing;
using static TorchSharp.torch;

namespace SafeDiffusion.Pipeline.Tests.Commands;

public class ModelsVerifyCommandTests
{
    public ModelsVerifyCommandTests() => LibTorchRuntime.EnsureLoadable();

    private static string Model(string set) => SharedFixtures.Path("sd-parity", set, "model");
    private static string Cases(string set) => SharedFixtures.Path("sd-parity", set, "cases");

    private static async Task<(int Exit, string Out, string Err)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = await CliHost.RunAsync(args, CliEnvironment.ForTest(output, error, Directory.GetCurrentDirectory()));
        return (exit, output.ToString(), error.ToString());
    }

    [Trait("Category", "Slow")]
    [Theory]
    [InlineData("tiny-sd1")]
    [InlineData("tiny-sd2")]
    public async Task Every_reference_case_of_the_set_passes_and_the_command_exits_0(string set)
    {
        var (exit, output, error) = await Run("models", "verify", "--model", Model(set), "--cases", Cases(set));

        Assert.True(exit == ExitCodes.Success, $"exit {exit}\n{output}\n{error}");
        var lines = output.Split('\n').Where(l => l.EndsWith("PASS", StringComparison.Ordinal) || l.EndsWith("FAIL", StringComparison.Ordinal)
                                                  || l.Contains("  FAIL", StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(lines, l => l.Contains("FAIL", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("unet ", StringComparison.Ordinal) && l.Contains("unet.safetensors:out", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("vae.safetensors:decoded", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("scheduler_euler_a.safetensors:x_9", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("ddpm_train.safetensors:velocity", StringComparison.Ordinal));
        Assert.Contains("PASS: all", output);
    }

    [Fact]
    public async Task A_tensor_outside_tolerance_prints_FAIL_and_exits_with_check_failed()
    {
        using var temp = new TempDirectory("verify");
        using (var scope = NewDisposeScope())
        using (var file = SafetensorsFile.Open(Path.Combine(Cases("tiny-sd1"), "unet.safetensors")))
        {
            var tensors = file.Tensors.Keys.ToDictionary(k => k, k => file.Load(k));
            tensors["out"] = tensors["out"] + 0.01;
            SafetensorsWriter.Write(temp.File("unet.safetensors"), tensors);
        }

        var (exit, output, _) = await Run("models", "verify", "--model", Model("tiny-sd1"), "--cases", temp.Path);

        Assert.Equal(ExitCodes.CheckFailed, exit);
        Assert.Contains(output.Split('\n'), l => l.Contains("unet.safetensors:out", StringComparison.Ordinal) && l.TrimEnd().EndsWith("FAIL", StringComparison.Ordinal));
        Assert.Contains("skipped (no case files):", output);
        Assert.Contains("vae", output.Split('\n').Single(l => l.StartsWith("skipped", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_case_file_lacking_a_tensor_is_an_input_error_naming_file_and_tensor()
    {
        using var temp = new TempDirectory("verify");
        using (var scope = NewDisposeScope())
        using (var file = SafetensorsFile.Open(Path.Combine(Cases("tiny-sd1"), "vae.safetensors")))
        {
            var tensors = file.Tensors.Keys.Where(k => k != "latent").ToDictionary(k => k, k => file.Load(k));
            SafetensorsWriter.Write(temp.File("vae.safetensors"), tensors);
        }

        var (exit, _, error) = await Run("models", "verify", "--model", Model("tiny-sd1"), "--cases", temp.Path);

        Assert.Equal(ExitCodes.InputData, exit);
        Assert.Contains("vae.safetensors", error);
        Assert.Contains("tensor 'latent'", error);
    }

    [Fact]
    public async Task A_truncated_case_file_is_an_input_error()
    {
        using var temp = new TempDirectory("verify");
        var bytes = File.ReadAllBytes(Path.Combine(Cases("tiny-sd1"), "unet.safetensors"));
        File.WriteAllBytes(temp.File("unet.safetensors"), bytes[..(bytes.Length / 2)]);

        var (exit, _, error) = await Run("models", "verify", "--model", Model("tiny-sd1"), "--cases", temp.Path);

        Assert.Equal(ExitCodes.InputData, exit);
        Assert.Contains("unet.safetensors", error);
    }

    [Fact]
    public async Task A_cases_folder_without_case_files_is_an_input_error()
    {
        using var temp = new TempDirectory("verify");

        var (exit, _, error) = await Run("models", "verify", "--model", Model("tiny-sd1"), "--cases", temp.Path);

        Assert.Equal(ExitCodes.InputData, exit);
        Assert.Contains("none of the known reference case files", error);
    }
}
