using System.Threading.Tasks.Dataflow;

namespace SafeDiffusion.Core.Stages;

/// <summary>
/// Dataflow options for the two kinds of work in a stage. CPU work (PNG encoding, filtering, Parquet row building)
/// runs with parallelism up to the core count; device work runs one batch at a time per leased device. Both are
/// bounded so a slow consumer throttles its producer instead of filling memory.
/// </summary>
public static class BlockOptions
{
    /// <param name="degree">Parallel workers; null or 0 means one per core.</param>
    /// <param name="capacity">Items buffered at the block's input; null means two per worker.</param>
    public static ExecutionDataflowBlockOptions Cpu(CancellationToken ct, int? degree = null, int? capacity = null)
    {
        int d = degree is > 0 ? degree.Value : Environment.ProcessorCount;
        return new ExecutionDataflowBlockOptions
        {
            MaxDegreeOfParallelism = d,
            BoundedCapacity = capacity ?? 2 * d,
            EnsureOrdered = false,
            CancellationToken = ct,
        };
    }

    /// <summary>One item at a time (the item is usually a batch), with a small input buffer.</summary>
    public static ExecutionDataflowBlockOptions Device(CancellationToken ct, int capacity = 2) => new()
    {
        MaxDegreeOfParallelism = 1,
        BoundedCapacity = capacity,
        CancellationToken = ct,
    };

    /// <summary>A buffer of small records (prompts) that must never block the producer: see the image stage.</summary>
    public static DataflowBlockOptions Unbounded(CancellationToken ct) => new() { CancellationToken = ct };
}
