using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Pipeline.Cli;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Pipeline.Tests.Commands;

public class BenchCommandTests
{
    public BenchCommandTests() => LibTorchRuntime.EnsureLoadable();

    private static async Task<(int Exit, string Out, string Err)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = await CliHost.RunAsync(args, CliEnvironment.ForTest(output, error, Directory.GetCurrentDirectory()));
        return (exit, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData("unet", "ms per UNet call")]
    [InlineData("txt2img", "ms per image")]
    public async Task Bench_prints_median_mean_and_peak_memory(string target, string unit)
    {
        var model = SharedFixtures.Path("sd-parity", "tiny-sd1", "model");

        var (exit, output, error) = await Run("bench", target, "--model", model, "--batch", "1", "--size", "64", "--steps", "2",
            "--warmup", "0", "--iterations", "2");

        Assert.True(exit == ExitCodes.Success, $"exit {exit}\n{output}\n{error}");
        Assert.Contains($"median ({unit}):", output);
        Assert.Contains($"mean ({unit}):", output);
        Assert.Contains("peak working set:", output);
        Assert.Contains("peak RSS (VmHWM):", output);
    }

    [Fact]
    public async Task An_unknown_target_is_a_usage_error()
    {
        var (exit, _, error) = await Run("bench", "vae", "--model", ".");

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("vae", error);
    }

    [Fact]
    public async Task Cuda_runs_where_available_and_is_a_usage_error_elsewhere_never_a_crash()
    {
        var model = SharedFixtures.Path("sd-parity", "tiny-sd1", "model");

        var (exit, output, error) = await Run("bench", "unet", "--model", model, "--size", "64", "--device", "cuda", "--warmup", "0", "--iterations", "1");

        if (TorchSharp.torch.cuda.is_available())
        {
            Assert.True(exit == ExitCodes.Success, $"exit {exit}\n{output}\n{error}");
            Assert.Contains("Float16", output);
        }
        else
        {
            Assert.Equal(ExitCodes.Usage, exit);
            Assert.Contains("CUDA is not available", error);
        }
    }
}
