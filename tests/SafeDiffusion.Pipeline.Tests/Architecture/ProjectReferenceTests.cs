using System.Xml.Linq;
using SafeDiffusion.Pipeline.Tests.Support;

namespace SafeDiffusion.Pipeline.Tests.Architecture;

/// <summary>
/// The projects under stages/ and pipelines/ reference what they need and nothing else. <see cref="AllowedEdges"/>
/// is every project and package reference they may have, and the build files must say exactly that: a new edge
/// fails until it is added here (a decision, made in review), and an edge that went away fails until it leaves the
/// list, so the list stays a true picture of the graph.
/// </summary>
public sealed class ProjectReferenceTests
{
    private const string Package = "package:";

    /// <summary>
    /// Every allowed edge, "project -> project" or "project -> package:Name" (conditional back-end packages count:
    /// each build switch is a way the project can be built). Heavy packages each sit in one project: TorchSharp in
    /// Diffusion, LLamaSharp in Prompts.Llama, DuckDB in Inspection, Parquet.Net in Datasets, Spectre.Console and
    /// System.CommandLine in the CLI; only the CLI composes the tiny world in.
    /// </summary>
    private static readonly string[] AllowedEdges =
    [
        "SafeDiffusion.Core -> package:System.Threading.Tasks.Dataflow",
        "SafeDiffusion.Core -> package:YamlDotNet",

        "SafeDiffusion.Datasets -> SafeDiffusion.Core",
        "SafeDiffusion.Datasets -> package:Parquet.Net",

        "SafeDiffusion.Diffusion -> SafeDiffusion.Core",
        "SafeDiffusion.Diffusion -> package:TorchSharp-cpu",
        "SafeDiffusion.Diffusion -> package:TorchSharp-cuda-linux",
        "SafeDiffusion.Diffusion -> package:TorchSharp.PyBridge",

        "SafeDiffusion.Diffusion.Verification -> SafeDiffusion.Core",
        "SafeDiffusion.Diffusion.Verification -> SafeDiffusion.Diffusion",

        "SafeDiffusion.Prompts -> SafeDiffusion.Core",
        "SafeDiffusion.Prompts -> SafeDiffusion.Datasets",

        "SafeDiffusion.Prompts.Llama -> SafeDiffusion.Core",
        "SafeDiffusion.Prompts.Llama -> SafeDiffusion.Prompts",
        "SafeDiffusion.Prompts.Llama -> package:LLamaSharp",
        "SafeDiffusion.Prompts.Llama -> package:LLamaSharp.Backend.Cpu",
        "SafeDiffusion.Prompts.Llama -> package:LLamaSharp.Backend.Cuda12",

        "SafeDiffusion.Images -> SafeDiffusion.Core",
        "SafeDiffusion.Images -> SafeDiffusion.Datasets",
        "SafeDiffusion.Images -> SafeDiffusion.Diffusion",
        "SafeDiffusion.Images -> package:SixLabors.ImageSharp",
        "SafeDiffusion.Images -> package:ScottPlot",
        "SafeDiffusion.Images -> package:SkiaSharp",
        "SafeDiffusion.Images -> package:SkiaSharp.NativeAssets.Linux.NoDependencies",

        "SafeDiffusion.Inspection -> SafeDiffusion.Core",
        "SafeDiffusion.Inspection -> SafeDiffusion.Datasets",
        "SafeDiffusion.Inspection -> package:DuckDB.NET.Data.Full",

        "SafeDiffusion.Training -> SafeDiffusion.Core",
        "SafeDiffusion.Training -> SafeDiffusion.Datasets",
        "SafeDiffusion.Training -> SafeDiffusion.Diffusion",
        "SafeDiffusion.Training -> SafeDiffusion.Images",

        "SafeDiffusion.Evaluation -> SafeDiffusion.Core",
        "SafeDiffusion.Evaluation -> SafeDiffusion.Datasets",
        "SafeDiffusion.Evaluation -> SafeDiffusion.Diffusion",
        "SafeDiffusion.Evaluation -> SafeDiffusion.Images",
        "SafeDiffusion.Evaluation -> SafeDiffusion.Prompts",
        "SafeDiffusion.Evaluation -> package:Microsoft.ML.OnnxRuntime",
        "SafeDiffusion.Evaluation -> package:SixLabors.ImageSharp",

        "SafeDiffusion.Scheduling -> SafeDiffusion.Core",
        "SafeDiffusion.Scheduling -> package:Microsoft.Extensions.Hosting",
        "SafeDiffusion.Scheduling -> package:Microsoft.Extensions.Hosting.Systemd",
        "SafeDiffusion.Scheduling -> package:Quartz",

        "SafeDiffusion.TinyWorld -> SafeDiffusion.Core",
        "SafeDiffusion.TinyWorld -> SafeDiffusion.Datasets",
        "SafeDiffusion.TinyWorld -> SafeDiffusion.Diffusion",
        "SafeDiffusion.TinyWorld -> SafeDiffusion.Evaluation",
        "SafeDiffusion.TinyWorld -> SafeDiffusion.Images",
        "SafeDiffusion.TinyWorld -> SafeDiffusion.Prompts",
        "SafeDiffusion.TinyWorld -> SafeDiffusion.Training",

        "SafeDiffusion.Pipeline -> SafeDiffusion.Core",
        "SafeDiffusion.Pipeline -> SafeDiffusion.Datasets",
        "SafeDiffusion.Pipeline -> SafeDiffusion.Diffusion",
        "SafeDiffusion.Pipeline -> SafeDiffusion.Diffusion.Verification",
        "SafeDiffusion.Pipeline -> SafeDiffusion.Evaluation",
        "SafeDiffusion.Pipeline -> SafeDiffusion.Images",
        "SafeDiffusion.Pipeline -> SafeDiffusion.Inspection",
        "SafeDiffusion.Pipeline -> SafeDiffusion.Prompts",
        "SafeDiffusion.Pipeline -> SafeDiffusion.Prompts.Llama",
        "SafeDiffusion.Pipeline -> SafeDiffusion.Scheduling",
        "SafeDiffusion.Pipeline -> SafeDiffusion.TinyWorld",
        "SafeDiffusion.Pipeline -> SafeDiffusion.Training",
        "SafeDiffusion.Pipeline -> package:Spectre.Console",
        "SafeDiffusion.Pipeline -> package:System.CommandLine",
    ];

    [Fact]
    public void Production_projects_have_exactly_the_allowed_references()
    {
        var actual = ProductionEdges().ToHashSet(StringComparer.Ordinal);
        var allowed = AllowedEdges.ToHashSet(StringComparer.Ordinal);

        var unexpected = actual.Except(allowed).Order(StringComparer.Ordinal).ToList();
        var gone = allowed.Except(actual).Order(StringComparer.Ordinal).ToList();

        Assert.True(unexpected.Count == 0 && gone.Count == 0,
            "The project references differ from ProjectReferenceTests.AllowedEdges." +
            (unexpected.Count > 0 ? $"\nNot allowed (remove it, or add it to the list if the project needs it):\n  {string.Join("\n  ", unexpected)}" : "") +
            (gone.Count > 0 ? $"\nListed but no longer in any project file (take it off the list):\n  {string.Join("\n  ", gone)}" : ""));
    }

    [Fact]
    public void The_list_names_each_edge_once()
    {
        var repeated = AllowedEdges.GroupBy(e => e, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(repeated);
    }

    [Fact]
    public void Only_the_command_line_references_the_tiny_world()
    {
        var referrers = ProductionEdges().Where(e => e.EndsWith(" -> SafeDiffusion.TinyWorld", StringComparison.Ordinal)).ToList();
        Assert.Equal(["SafeDiffusion.Pipeline -> SafeDiffusion.TinyWorld"], referrers);
    }

    [Theory]
    [InlineData("LLamaSharp", "SafeDiffusion.Prompts.Llama")]
    [InlineData("DuckDB.NET.Data.Full", "SafeDiffusion.Inspection")]
    [InlineData("Spectre.Console", "SafeDiffusion.Pipeline")]
    [InlineData("Parquet.Net", "SafeDiffusion.Datasets")]
    [InlineData("TorchSharp-cpu", "SafeDiffusion.Diffusion")]
    public void A_heavy_package_is_referenced_by_one_project(string package, string project)
    {
        var referrers = ProductionEdges()
            .Where(e => e.EndsWith($" -> {Package}{package}", StringComparison.Ordinal))
            .Select(e => e[..e.IndexOf(" -> ", StringComparison.Ordinal)])
            .ToList();
        Assert.Equal([project], referrers);
    }

    [Fact]
    public void The_light_prompt_project_and_evaluation_take_no_native_llama_or_libtorch()
    {
        var edges = ProductionEdges().ToList();
        Assert.DoesNotContain("SafeDiffusion.Prompts -> SafeDiffusion.Diffusion", edges);
        Assert.DoesNotContain("SafeDiffusion.Evaluation -> SafeDiffusion.Prompts.Llama", edges);
    }

    /// <summary>Every reference of every project file under stages/ and pipelines/, as "project -> target".</summary>
    private static IEnumerable<string> ProductionEdges()
    {
        var root = RepositoryFolders.Root;
        var projects = new[] { "stages", "pipelines" }
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(root, folder), "*.csproj", SearchOption.AllDirectories))
            .Where(path => !IsBuildOutput(path))
            .ToList();
        Assert.NotEmpty(projects);
        foreach (var path in projects)
        {
            var name = Path.GetFileNameWithoutExtension(path);
            var document = XDocument.Load(path);
            foreach (var reference in document.Descendants("ProjectReference"))
                yield return $"{name} -> {ReferencedProject(reference, path)}";
            foreach (var reference in document.Descendants("PackageReference"))
                yield return $"{name} -> {Package}{Include(reference, path)}";
        }
    }

    private static string ReferencedProject(XElement reference, string path) =>
        Path.GetFileNameWithoutExtension(Include(reference, path).Replace('\\', '/'));

    private static string Include(XElement reference, string path) =>
        reference.Attribute("Include")?.Value
        ?? throw new InvalidDataException($"{path}: a {reference.Name} without Include.");

    private static bool IsBuildOutput(string path)
    {
        var parts = path.Split(Path.DirectorySeparatorChar);
        return parts.Contains("bin") || parts.Contains("obj");
    }
}
