using System.Text.Json;
using System.Text.Json.Serialization;

namespace SafeDiffusion.Core.Runs;

/// <summary>
/// <c>runs/&lt;run-id&gt;/manifest.json</c>: what ran, with which config and code, and what it wrote. The one file a
/// person or a tool reads to understand a run.
/// </summary>
public sealed record RunManifest
{
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    public required string RunId { get; init; }
    public required DateTimeOffset CreatedUtc { get; init; }
    public required string ConfigName { get; init; }
    public required string ConfigSource { get; init; }
    public required string ConfigSha256 { get; init; }
    /// <summary>The config as YAML after command-line overrides: rerunning with it reproduces the run.</summary>
    public required string ConfigSnapshot { get; init; }
    public required string CodeVersion { get; init; }
    public string Host { get; init; } = Environment.MachineName;
    /// <summary>For sharded runs: which share of the prompts this run generated (<c>i/N</c>).</summary>
    public string? Shard { get; init; }
    public IReadOnlyDictionary<string, StageRecord> Stages { get; init; } = new Dictionary<string, StageRecord>();
    /// <summary>How the run ended; null while it runs, or when it was killed before it could say.</summary>
    public RunOutcome? Outcome { get; init; }

    public StageRecord? Stage(string name) => Stages.TryGetValue(name, out var s) ? s : null;

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };
}

public enum StageStatus { Pending, Running, Completed, Failed, Cancelled }

public sealed record StageRecord
{
    public StageStatus Status { get; init; } = StageStatus.Pending;
    public DateTimeOffset? StartedUtc { get; init; }
    public DateTimeOffset? FinishedUtc { get; init; }
    public double? DurationSeconds { get; init; }
    /// <summary>Hash of the stage's bound config section.</summary>
    public string? ConfigSha256 { get; init; }
    /// <summary>Hash of the config hash and every upstream artifact hash: equal fingerprints mean equal inputs.</summary>
    public string? Fingerprint { get; init; }
    /// <summary>
    /// The outputs digest of every stage this one read, as they were when it completed: a later change of any of
    /// them makes this stage stale (<c>RunPlanner.StaleStages</c>). Null in manifests written before it was recorded.
    /// </summary>
    public IReadOnlyDictionary<string, string>? InputDigests { get; init; }
    public IReadOnlyList<ArtifactRecord> Artifacts { get; init; } = [];
    /// <summary>Figures the stage reports: counts, rates, losses, timings.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
    /// <summary>Short text facts: model ids, notes, gate results.</summary>
    public IReadOnlyDictionary<string, string> Notes { get; init; } = new Dictionary<string, string>();
    public string? Error { get; init; }
}

/// <summary>A file a stage wrote, relative to the run folder, with its hash.</summary>
public sealed record ArtifactRecord(string Path, string Sha256, long Bytes, string Kind);
