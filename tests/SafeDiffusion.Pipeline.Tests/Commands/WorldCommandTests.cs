using SafeDiffusion.Core.Progress;
using SafeDiffusion.Pipeline.Cli;
using SafeDiffusion.Pipeline.Tests.Support;
using SafeDiffusion.Prompts.Configuration;
using SafeDiffusion.Testing;
using SafeDiffusion.TinyWorld.Caching;
using SafeDiffusion.TinyWorld.Configuration;
using SafeDiffusion.TinyWorld.Integration;
using SafeDiffusion.TinyWorld.Shipping;
using Xunit.Abstractions;

namespace SafeDiffusion.Pipeline.Tests.Commands;

/// <summary>
/// `pipeline world build` makes the smoke-size world from nothing with its manifest; `verify` checks it and finds a
/// changed byte; a cache with the folder as its shipped layer serves every <c>tiny:</c> name without building.
/// </summary>
[Collection(TorchThreadsCollection.Name)]
[Trait("Category", "Slow")]
public sealed class WorldCommandTests(ITestOutputHelper log) : IDisposable
{
    private readonly TempDirectory _dir = new("world-command");

    [Fact]
    public async Task A_world_built_from_nothing_verifies_serves_runs_without_a_build_and_a_changed_byte_fails_verification()
    {
        var world = _dir.File("world");
        var (code, output, error) = await PipelineAsync("world", "build", "--profile", "smoke", "--out", world);
        log.WriteLine(output);
        Assert.True(code == 0, error);

        var manifest = WorldManifest.Read(world);
        Assert.Equal("smoke", manifest.Profile);
        Assert.Contains("pipeline world build --profile smoke", manifest.Command);
        Assert.Equal(TinyWorldModelResolver.Names.Order(), manifest.Artifacts.SelectMany(a => a.Names).Order());
        Assert.All(manifest.Artifacts, a => Assert.Contains(a.Files, f => f.Path.EndsWith(TinyArtifactCache.RecipeFile, StringComparison.Ordinal)));
        Assert.NotNull(manifest.Gate);
        Assert.Empty(Directory.EnumerateFiles(world, "*.lock", SearchOption.AllDirectories));

        // Verify re-measures the gate on this machine: the same build gives the same figures.
        (code, output, error) = await PipelineAsync("world", "verify", "--profile", "smoke", "--dir", world);
        log.WriteLine(output);
        Assert.True(code == 0, output + error);
        Assert.Contains("0 differ, 0 recipes missing", output);
        Assert.Contains($"quality gate on this machine: {manifest.Gate!.Summary}", output);
        Assert.Contains("the gate's figures reproduce", output);

        // Served from the shipped layer: nothing is built into the (empty) writable cache.
        var smoke = LoadedConfig.LoadBuiltIn("tiny-smoke.yaml", [], _dir.Path);
        var binder = new SafeDiffusion.Core.Configuration.ConfigBinder(smoke.Document);
        var worldConfig = binder.Bind<TinyWorldConfig>(smoke.Config.World, "world");
        var writer = binder.Bind<HarmfulPromptsConfig>(smoke.Config.Stages["harmful-prompts"], "stages.harmful-prompts");
        var empty = _dir.File("empty-cache");
        var resolver = new TinyWorldModelResolver(worldConfig, writer, new TinyArtifactCache(empty, [world]));
        foreach (var name in TinyWorldModelResolver.Names)
        {
            var path = await resolver.ResolveAsync(TinyWorldModelResolver.Scheme + name, NullProgressSink.Instance, CancellationToken.None);
            Assert.StartsWith(Path.GetFullPath(world), path, StringComparison.Ordinal);
        }
        Assert.False(Directory.Exists(empty) && Directory.EnumerateFileSystemEntries(empty).Any(), "the writable cache should stay empty");

        // One changed byte in the base model's weights: verification fails and names the file.
        var weights = manifest.Artifacts.SelectMany(a => a.Files).First(f => f.Path.EndsWith("unet/diffusion_pytorch_model.safetensors", StringComparison.Ordinal));
        var bytes = File.ReadAllBytes(Path.Combine(world, weights.Path));
        bytes[^1] ^= 0x01;
        File.WriteAllBytes(Path.Combine(world, weights.Path), bytes);
        (code, output, _) = await PipelineAsync("world", "verify", "--profile", "smoke", "--dir", world, "--no-gate");
        Assert.Equal(SafeDiffusion.Core.Errors.ExitCodes.CheckFailed, code);
        Assert.Contains($"differs: {weights.Path}: sha256 differs", output);

        // Building over a folder that is not empty is refused before anything is built.
        (code, _, error) = await PipelineAsync("world", "build", "--profile", "smoke", "--out", world);
        Assert.Equal(SafeDiffusion.Core.Errors.ExitCodes.Usage, code);
        Assert.Contains("is not empty", error);
    }

    private async Task<(int Code, string Out, string Err)> PipelineAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CliHost.RunAsync(args, CliEnvironment.ForTest(output, error, _dir.Path));
        return (code, output.ToString(), error.ToString());
    }

    public void Dispose() => _dir.Dispose();
}
