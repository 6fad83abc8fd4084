using System.Diagnostics;
using SafeDiffusion.Core.Devices;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Devices;
using SafeDiffusion.Pipeline.Cli;
using SafeDiffusion.Pipeline.Graphs;
using SafeDiffusion.Pipeline.Tests.Support;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Pipeline.Tests.Commands;

/// <summary>`pipeline run` checks the configured devices against this build before any stage runs (this test build is the CPU one).</summary>
public sealed class RunPreflightTests : IDisposable
{
    private readonly TempDirectory _dir = new("preflight");

    public void Dispose() => _dir.Dispose();

    private static string Tiny => Path.Combine(RepositoryFolders.Configs, "tiny.yaml");

    /// <summary>The shipped tiny profile with its device list replaced.</summary>
    private string TinyWith(string device)
    {
        var text = File.ReadAllText(Tiny);
        const string cpu = "devices:\n  - id: cpu\n";
        Assert.Contains(cpu, text);
        var path = _dir.File("tiny-cuda.yaml");
        File.WriteAllText(path, text.Replace(cpu, $"devices:\n  - id: {device}\n"));
        return path;
    }

    [Fact]
    public async Task Cuda_on_this_cpu_build_exits_2_at_once_naming_the_device_and_the_switch()
    {
        if (TorchCudaProbe.BuildHasCuda) return; // a GPU build: nothing to refuse
        var output = new StringWriter();
        var error = new StringWriter();
        var clock = Stopwatch.StartNew();

        int exit = await CliHost.RunAsync(["run", "full", "--config", TinyWith("cuda:0"), "--runs", _dir.File("runs")],
            CliEnvironment.ForTest(output, error, _dir.Path));

        Assert.True(exit == ExitCodes.Usage, $"exit {exit}\n{output}\n{error}");
        Assert.Contains("devices: cuda:0 but this build is TorchSharp-cpu: build with -p:TorchBackend=cuda", error.ToString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.False(Directory.Exists(_dir.File("runs")), "no run folder should be created before the preflight passes");
    }

    [Fact]
    public void A_cpu_config_passes_the_preflight_on_this_build()
    {
        var loaded = LoadedConfig.Load(Tiny, [], _dir.Path);
        var configs = PipelineComposition.BindAll(loaded);
        var request = PreflightRequests.For(loaded, configs, PipelineComposition.Graph(PipelineComposition.Full, loaded).Stages.Select(s => s.Name));
        Assert.Empty(DevicePreflight.Problems(request, new NativeDevicePlatform()));
    }
}
