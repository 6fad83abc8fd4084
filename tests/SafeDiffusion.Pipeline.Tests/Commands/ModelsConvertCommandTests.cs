using System.Collections;
using System.CommandLine;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Safetensors;
using SafeDiffusion.Pipeline.Cli;
using SafeDiffusion.Pipeline.Commands;
using SafeDiffusion.Testing;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace SafeDiffusion.Pipeline.Tests.Commands;

public sealed class ModelsConvertCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public ModelsConvertCommandTests() => LibTorchRuntime.EnsureLoadable();

    public void Dispose() => _dir.Dispose();

    /// <summary>Runs `models convert ...` under a root of its own, as the models command will attach it.</summary>
    private async Task<(int Code, string Out)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var env = CliEnvironment.ForTest(output, new StringWriter(), _dir.Path);
        var root = new RootCommand { Subcommands = { new Command("models") { Subcommands = { ModelsConvertCommand.Create(env) } } } };
        var parse = root.Parse(["models", "convert", .. args]);
        Assert.Empty(parse.Errors);
        int code = await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = output });
        return (code, output.ToString());
    }

    private string WritePth(string name)
    {
        var path = _dir.File(name);
        var stateDict = new Dictionary<string, Tensor>
        {
            ["conv.weight"] = torch.arange(24, ScalarType.Float32).reshape(2, 3, 2, 2),
            ["bn.num_batches_tracked"] = torch.tensor(3L),
        };
        using var stream = File.Create(path);
        PyTorchPickler.PickleStateDict(stream, (IDictionary)stateDict);
        return path;
    }

    [Fact]
    public async Task A_pth_state_dict_becomes_safetensors_beside_it()
    {
        WritePth("weights.pth");
        var (code, output) = await RunAsync("--from", "pth", "--to", "safetensors", "weights.pth");
        Assert.Equal(0, code);
        Assert.Contains("2 tensors", output);
        using var file = SafetensorsFile.Open(_dir.File("weights.safetensors"));
        Assert.Equal([2L, 3, 2, 2], file.Entry("conv.weight").Shape);
        Assert.Equal(SafetensorsDType.I64, file.Entry("bn.num_batches_tracked").DType);
        using var conv = file.Load("conv.weight");
        Assert.Equal(23f, conv[1, 2, 1, 1].item<float>());
    }

    [Fact]
    public async Task An_existing_output_is_kept_unless_forced()
    {
        WritePth("weights.pth");
        File.WriteAllText(_dir.File("out.safetensors"), "keep me");
        await Assert.ThrowsAsync<UsageException>(() => RunAsync("--from", "pth", "--to", "safetensors", "weights.pth", "-o", "out.safetensors"));
        Assert.Equal("keep me", File.ReadAllText(_dir.File("out.safetensors")));
        var (code, _) = await RunAsync("--from", "pth", "--to", "safetensors", "weights.pth", "-o", "out.safetensors", "--force");
        Assert.Equal(0, code);
        using var file = SafetensorsFile.Open(_dir.File("out.safetensors"));
        Assert.True(file.Contains("conv.weight"));
    }

    [Trait("Category", "Slow")]
    [Fact]
    public async Task Unsupported_formats_are_usage_errors()
    {
        WritePth("weights.pth");
        var e = await Assert.ThrowsAsync<UsageException>(() => RunAsync("--from", "onnx", "--to", "safetensors", "weights.pth"));
        Assert.Contains("--from onnx", e.Message);
        await Assert.ThrowsAsync<UsageException>(() => RunAsync("--from", "pth", "--to", "gguf", "weights.pth"));
    }

    [Fact]
    public async Task A_missing_input_names_the_file()
    {
        var e = await Assert.ThrowsAsync<InputDataException>(() => RunAsync("--from", "pth", "--to", "safetensors", "nope.pth"));
        Assert.Contains("nope.pth", e.Message);
    }
}
