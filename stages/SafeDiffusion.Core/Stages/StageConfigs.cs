using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SafeDiffusion.Core.Configuration;

namespace SafeDiffusion.Core.Stages;

/// <summary>
/// Every stage's config section bound to its record at start, so a typo in the last stage fails before the first
/// one runs. Each bound section also has a hash that goes into the stage's fingerprint.
/// </summary>
public sealed class StageConfigs
{
    private readonly Dictionary<string, object> _configs;
    private readonly Dictionary<string, string> _hashes;

    private StageConfigs(Dictionary<string, object> configs, Dictionary<string, string> hashes)
    {
        _configs = configs;
        _hashes = hashes;
    }

    public static StageConfigs Bind(IEnumerable<IStage> stages, PipelineConfig config, ConfigDocument document, ConfigBinder? binder = null)
    {
        binder ??= new ConfigBinder(document);
        var list = stages.ToList();
        var configs = new Dictionary<string, object>();
        var hashes = new Dictionary<string, string>();
        var known = list.Select(s => s.Name).ToHashSet();
        var stagesNode = document.Find("stages") as YamlDotNet.RepresentationModel.YamlMappingNode;
        foreach (var (key, _) in config.Stages)
        {
            if (known.Contains(key)) continue;
            var keyNode = stagesNode?.Children.Keys.FirstOrDefault(k => k.ToString() == key);
            var guess = ConfigBinder.Suggest(key, known);
            binder.Report(keyNode, $"stages.{key}",
                $"no stage is named '{key}'.{(guess is null ? "" : $" Did you mean '{guess}'?")} Stages: {string.Join(", ", known)}.");
        }
        foreach (var stage in list)
        {
            config.Stages.TryGetValue(stage.Name, out var node);
            var bound = binder.Bind(stage.ConfigType, node, $"stages.{stage.Name}")!;
            configs[stage.Name] = bound;
            hashes[stage.Name] = Hash(bound);
        }
        binder.ThrowIfAny();
        return new StageConfigs(configs, hashes);
    }

    /// <summary>
    /// These configs, and each copy in <paramref name="copies"/> with its source stage's bound section and hash: the
    /// copies of a stage that differ only in their root seed read one section, bound (and its problems reported) once.
    /// </summary>
    /// <exception cref="KeyNotFoundException">A source stage has no bound section.</exception>
    public StageConfigs WithCopies(IEnumerable<(string Copy, string Source)> copies)
    {
        var configs = new Dictionary<string, object>(_configs);
        var hashes = new Dictionary<string, string>(_hashes);
        foreach (var (copy, source) in copies)
        {
            configs[copy] = _configs[source];
            hashes[copy] = _hashes[source];
        }
        return new StageConfigs(configs, hashes);
    }

    public object this[string stage] => _configs[stage];

    public T Get<T>(string stage) => (T)_configs[stage];

    public string HashOf(string stage) => _hashes[stage];

    private static readonly JsonSerializerOptions HashJson = new() { WriteIndented = false };

    private static string Hash(object config) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            config.GetType().FullName + JsonSerializer.Serialize(config, config.GetType(), HashJson))));
}
