using System.Globalization;
using SafeDiffusion.Core.Stages;

namespace SafeDiffusion.Pipeline.Commands;

/// <summary>
/// The shard a process works on: `--shard i/N`, or the index a cluster scheduler sets (Slurm job arrays:
/// SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT; Kubernetes Indexed Jobs: JOB_COMPLETION_INDEX with SHARD_COUNT),
/// so one job script serves every array element.
/// </summary>
internal static class ShardOption
{
    public static ShardSpec Resolve(string? option)
    {
        if (option is not null) return ShardSpec.Parse(option);
        var index = Env("SHARD_INDEX") ?? Env("SLURM_ARRAY_TASK_ID") ?? Env("JOB_COMPLETION_INDEX");
        var count = Env("SHARD_COUNT") ?? Env("SLURM_ARRAY_TASK_COUNT");
        if (index is null) return ShardSpec.All;
        if (count is null)
            throw new Core.Errors.UsageException($"A shard index is set in the environment ({index}) but no shard count: set SHARD_COUNT or pass --shard i/N.");
        return ShardSpec.Parse($"{index}/{count}");
    }

    private static string? Env(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } v && int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? v : null;
}
