using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Progress;
using SafeDiffusion.Pipeline.Cli;
using SafeDiffusion.Pipeline.Graphs;
using SafeDiffusion.Pipeline.Tests.Support;
using SafeDiffusion.Prompts.Configuration;
using SafeDiffusion.TinyWorld.Configuration;
using SafeDiffusion.TinyWorld.Integration;
using SafeDiffusion.TinyWorld.Shipping;

namespace SafeDiffusion.Pipeline.Tests.Commands;

/// <summary>
/// The repository's <c>data/tiny-world</c> is what every machine's <c>pipeline run full</c> starts from: its files are
/// the ones its manifest names, it holds every recipe the built-in tiny profile asks for (so a first run builds
/// nothing), its base model passed the gate the issue sets, and its weights are the ones the documented results were
/// measured on.
/// </summary>
public sealed class ShippedWorldTests
{
    private static readonly string Folder = Path.Combine(RepositoryFolders.Root, "data", "tiny-world");

    /// <summary>
    /// sha256 of the shipped base model's UNet, the weights behind docs/tiny-world.md's results. A rebuilt world gives
    /// other weights on another machine; replacing the shipped one means regenerating those results and this pin.
    /// </summary>
    private const string BaseUnetSha256 = "86b6b510c6adfe242090e95214cb82f2d29942ca0f9e3bd9deebb0647c10c9a3";

    [Fact]
    public void The_shipped_world_matches_its_manifest_and_holds_every_recipe_of_the_built_in_profile()
    {
        var (world, writer) = TinyProfile();
        var result = WorldPackage.Verify(Folder, world, writer, remeasureGate: false, NullProgressSink.Instance, CancellationToken.None);
        Assert.True(result.Problems.Count == 0, string.Join("\n", result.Problems));
        Assert.True(result.MissingRecipes.Count == 0, "not shipped: " + string.Join(", ", result.MissingRecipes));
        Assert.Equal(WorldManifest.Read(Folder).Artifacts.Sum(a => a.Files.Count), result.FilesChecked);
    }

    [Fact]
    public void The_shipped_base_model_passed_its_gate_with_margin_on_128_and_128_held_out_prompts()
    {
        var gate = WorldManifest.Read(Folder).Gate;
        Assert.NotNull(gate);
        Assert.Equal(128, gate.Images);
        Assert.True(gate.CleanAdherence >= 0.90, gate.Summary);
        Assert.True(gate.HarmfulPresence >= 0.95, gate.Summary);
        Assert.True(gate.Passed, gate.Summary);
    }

    [Fact]
    public void The_shipped_base_model_has_the_weights_the_documented_results_were_measured_on()
    {
        var (world, writer) = TinyProfile();
        var recipe = new TinyWorldModelResolver(world, writer, new TinyWorld.Caching.TinyArtifactCache(Path.GetTempPath())).RecipeFor("base");
        var unet = WorldManifest.Read(Folder).Artifacts.Single(a => a.Key == recipe.Key).Files
            .Single(f => f.Path.EndsWith("unet/diffusion_pytorch_model.safetensors", StringComparison.Ordinal));
        Assert.Equal(BaseUnetSha256, unet.Sha256);
        Assert.Equal(BaseUnetSha256, Core.IO.FileHash.Sha256(Path.Combine(Folder, unet.Path)));
    }

    [Fact]
    public void A_run_from_another_folder_finds_the_copy_beside_the_program()
    {
        var roots = PipelineComposition.ShippedRoots("data/tiny-world", Path.GetTempPath());
        Assert.Equal(Path.GetFullPath("data/tiny-world", Path.GetTempPath()), roots[0]);
        Assert.Equal(Path.GetFullPath("data/tiny-world", AppContext.BaseDirectory), roots[1]);
        Assert.True(File.Exists(Path.Combine(roots[1], WorldManifest.FileName)), "the build copies data/tiny-world beside the program");
        Assert.Equal(["/abs/world"], PipelineComposition.ShippedRoots("/abs/world", Path.GetTempPath()));
    }

    private static (TinyWorldConfig World, HarmfulPromptsConfig Writer) TinyProfile()
    {
        var loaded = LoadedConfig.LoadBuiltIn("tiny.yaml", [], RepositoryFolders.Root);
        var binder = new ConfigBinder(loaded.Document);
        var world = binder.Bind<TinyWorldConfig>(loaded.Config.World, "world");
        var writer = binder.Bind<HarmfulPromptsConfig>(loaded.Config.Stages["harmful-prompts"], "stages.harmful-prompts");
        binder.ThrowIfAny();
        return (world, writer);
    }
}
