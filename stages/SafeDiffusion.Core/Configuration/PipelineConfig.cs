using SafeDiffusion.Core.Runs;
using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace SafeDiffusion.Core.Configuration;

/// <summary>
/// The top of a config file. Sections owned by one stage or feature (each stage's settings, the tiny world, the
/// schedule) stay YAML here and are bound by their owner's record when the program starts, so one pass validates
/// the whole file while no central class knows every stage.
/// </summary>
public sealed partial record PipelineConfig : IValidatableConfig
{
    /// <summary>A short profile name, shown in run ids and reports.</summary>
    public string Name { get; init; } = "custom";

    public string Description { get; init; } = "";

    /// <summary>The root seed; each stage derives its own seeds from it.</summary>
    public long Seed { get; init; } = 1234;

    /// <summary>
    /// The seeds the seeded stages (safety training, the attack, evaluation) are repeated over: a list of root seeds
    /// or a count of seeds derived from <see cref="Seed"/>; read by <see cref="RunSeeds"/>. Null: the graph's default.
    /// </summary>
    public YamlNode? Seeds { get; init; }

    public RunsConfig Runs { get; init; } = new();

    /// <summary>Devices the scheduler hands out: <c>cpu</c>, <c>cuda:0</c>, ... each with a memory budget.</summary>
    [MinLength(1)]
    public IReadOnlyList<DeviceConfig> Devices { get; init; } = [new DeviceConfig()];

    /// <summary>Named model references that stages use by name (<c>model: base</c>).</summary>
    public IReadOnlyDictionary<string, ModelReference> Models { get; init; } = new Dictionary<string, ModelReference>();

    /// <summary>The tiny synthetic world; read by SafeDiffusion.TinyWorld.</summary>
    public YamlNode? World { get; init; }

    /// <summary>One section per stage, keyed by stage name.</summary>
    public IReadOnlyDictionary<string, YamlNode> Stages { get; init; } = new Dictionary<string, YamlNode>();

    /// <summary>Nightly regeneration schedule; read by `pipeline serve`.</summary>
    public YamlNode? Schedule { get; init; }

    public IEnumerable<(string Key, string Message)> Validate()
    {
        var seen = new HashSet<string>();
        for (int i = 0; i < Devices.Count; i++)
        {
            var id = Devices[i].Id;
            if (!DeviceId().IsMatch(id))
                yield return ($"devices[{i}].id", $"'{id}' is not a device; use cpu or cuda:N (N = 0, 1, ...).");
            if (!seen.Add(id))
                yield return ($"devices[{i}].id", $"device '{id}' is listed twice.");
        }
        foreach (var (name, model) in Models)
            if (string.IsNullOrWhiteSpace(model.Path))
                yield return ($"models.{name}.path", "is required: a model folder, a .gguf file, or tiny:<name> for the built-in tiny world.");
    }

    [GeneratedRegex(@"^(cpu|cuda:\d+)$")]
    private static partial Regex DeviceId();
}

public sealed record RunsConfig : IValidatableConfig
{
    /// <summary>Where runs are written; relative paths are taken from the current directory.</summary>
    public string Root { get; init; } = "runs";

    /// <summary>How many finished runs to keep when a scheduler prunes (0 keeps all).</summary>
    [Range(0, 100000)]
    public int Keep { get; init; }

    /// <summary>Mode of files a run writes (octal). Runs hold harmful prompts and images: owner and group only.</summary>
    public string FileMode { get; init; } = RunFileModes.DefaultFileMode;

    /// <summary>Mode of folders a run makes (octal).</summary>
    public string FolderMode { get; init; } = RunFileModes.DefaultFolderMode;

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (RunFileModes.ParseOctal(FileMode) is null)
            yield return ("fileMode", $"'{FileMode}' is not a file mode; use octal digits as chmod takes them, e.g. 0640.");
        if (RunFileModes.ParseOctal(FolderMode) is null)
            yield return ("folderMode", $"'{FolderMode}' is not a folder mode; use octal digits as chmod takes them, e.g. 0750.");
    }
}

public sealed record DeviceConfig
{
    public string Id { get; init; } = "cpu";

    /// <summary>Memory the scheduler may hand out on this device.</summary>
    public ByteSize Memory { get; init; } = ByteSize.FromGiB(8);

    /// <summary>How many batches may run at once on the device (GPUs: 1; models interleave batch by batch).</summary>
    [Range(1, 64)]
    public int ComputeSlots { get; init; } = 1;
}

public enum ModelDtype { Auto, Float32, Float16, BFloat16 }

public sealed record ModelReference
{
    /// <summary>A diffusers folder, a .gguf file, a CLIP folder, an .onnx file, or <c>tiny:NAME</c>.</summary>
    public string Path { get; init; } = "";

    /// <summary>Weights dtype on the device: auto is fp16 on CUDA and fp32 on CPU.</summary>
    public ModelDtype Dtype { get; init; } = ModelDtype.Auto;

    /// <summary>Weight file variant, e.g. <c>fp16</c> for diffusion_pytorch_model.fp16.safetensors.</summary>
    public string? Variant { get; init; }
}
