using System.Runtime.CompilerServices;
using System.Threading.Tasks.Dataflow;
using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Stages;

namespace SafeDiffusion.Core.Tests.Stages;

// Small but real stages for exercising the graph runner: each writes its records to an artifact and can replay
// them, like the pipeline's stages do with Parquet.

public sealed record CountConfig
{
    public int Count { get; init; } = 5;
    public int Start { get; init; } = 1;
}

public sealed record ScaleConfig
{
    public int Factor { get; init; } = 2;
    /// <summary>Throw when this value arrives (0: never).</summary>
    public int FailOn { get; init; }
}

public sealed record SumConfig
{
    public string Label { get; init; } = "total";
}

public sealed record Total(string Label, long Sum, int Items);

internal static class Records
{
    public static async Task WriteAsync(StageContext ctx, string file, IEnumerable<int> values)
    {
        var path = Path.Combine(ctx.Directory, file);
        await SafeDiffusion.Core.IO.AtomicFile.WriteAsync(path, async (s, ct) =>
        {
            await using var w = new StreamWriter(s, leaveOpen: true);
            foreach (var v in values) await w.WriteLineAsync(v.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }, ctx.Cancellation);
        ctx.AddArtifact(path, "values");
    }

    public static async IAsyncEnumerable<int> ReadAsync(StageContext ctx, string file, [EnumeratorCancellation] CancellationToken ct)
    {
        foreach (var line in await File.ReadAllLinesAsync(Path.Combine(ctx.Directory, file), ct))
            yield return int.Parse(line, System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>Emits Start..Start+Count-1.</summary>
public sealed class CountStage(string name = "count") : Stage<RunStarted, int, CountConfig>
{
    public int Executions;
    public override string Name { get; } = name;
    public override string Description => "counts";

    public override IPropagatorBlock<RunStarted, int> Build(StageContext context, CountConfig config)
    {
        Interlocked.Increment(ref Executions);
        var values = Enumerable.Range(config.Start, config.Count).ToList();
        var block = new TransformManyBlock<RunStarted, int>(async _ =>
        {
            await Records.WriteAsync(context, "values.txt", values);
            context.SetMetric("count", values.Count);
            return values;
        }, new ExecutionDataflowBlockOptions { CancellationToken = context.Cancellation });
        return block;
    }

    public override IAsyncEnumerable<int> ReplayAsync(StageContext context, CountConfig config, CancellationToken ct) =>
        Records.ReadAsync(context, "values.txt", ct);
}

/// <summary>Multiplies each value; a bounded block, so it pushes back on its producer.</summary>
public sealed class ScaleStage(params string[] inputs) : Stage<int, int, ScaleConfig>
{
    public int Executions;
    public override string Name => "scale";
    public override string Description => "scales";
    public override IReadOnlyList<string> Inputs => inputs.Length == 0 ? ["count"] : inputs;

    public override IPropagatorBlock<int, int> Build(StageContext context, ScaleConfig config)
    {
        Interlocked.Increment(ref Executions);
        var seen = new List<int>();
        var transform = new TransformBlock<int, int>(async v =>
        {
            if (v == config.FailOn) throw new InvalidOperationException($"value {v} is cursed");
            await Task.Yield();
            lock (seen) seen.Add(v * config.Factor);
            return v * config.Factor;
        }, new ExecutionDataflowBlockOptions { BoundedCapacity = 2, CancellationToken = context.Cancellation });
        // Write the artifact once every input has been seen, before the block reports completion.
        var output = new BufferBlock<int>(new DataflowBlockOptions { CancellationToken = context.Cancellation });
        transform.LinkTo(output);
        transform.Completion.ContinueWith(async t =>
        {
            if (t.IsCompletedSuccessfully)
            {
                await Records.WriteAsync(context, "values.txt", seen.Order());
                output.Complete();
            }
            else ((IDataflowBlock)output).Fault(t.Exception?.GetBaseException() ?? new OperationCanceledException());
        }, TaskScheduler.Default);
        return DataflowBlock.Encapsulate(transform, output);
    }

    public override IAsyncEnumerable<int> ReplayAsync(StageContext context, ScaleConfig config, CancellationToken ct) =>
        Records.ReadAsync(context, "values.txt", ct);
}

/// <summary>Sums everything into one Total record.</summary>
public sealed class SumStage : Stage<int, Total, SumConfig>
{
    public int Executions;
    public override string Name => "sum";
    public override string Description => "sums";
    public override IReadOnlyList<string> Inputs => ["scale"];

    public override IPropagatorBlock<int, Total> Build(StageContext context, SumConfig config)
    {
        Interlocked.Increment(ref Executions);
        long sum = 0;
        int items = 0;
        var output = new BufferBlock<Total>(new DataflowBlockOptions { CancellationToken = context.Cancellation });
        var input = new ActionBlock<int>(v => { sum += v; items++; },
            new ExecutionDataflowBlockOptions { CancellationToken = context.Cancellation });
        input.Completion.ContinueWith(async t =>
        {
            if (!t.IsCompletedSuccessfully)
            {
                ((IDataflowBlock)output).Fault(t.Exception?.GetBaseException() ?? new OperationCanceledException());
                return;
            }
            var path = Path.Combine(context.Directory, "total.txt");
            await SafeDiffusion.Core.IO.AtomicFile.WriteAsync(path, async (s, ct) =>
            {
                await using var w = new StreamWriter(s, leaveOpen: true);
                await w.WriteAsync($"{config.Label}={sum}");
            });
            context.AddArtifact(path, "total");
            output.Post(new Total(config.Label, sum, items));
            output.Complete();
        }, TaskScheduler.Default);
        return DataflowBlock.Encapsulate(input, output);
    }

    public override async IAsyncEnumerable<Total> ReplayAsync(StageContext context, SumConfig config, [EnumeratorCancellation] CancellationToken ct)
    {
        var text = await File.ReadAllTextAsync(Path.Combine(context.Directory, "total.txt"), ct);
        yield return new Total(config.Label, long.Parse(text.Split('=')[1], System.Globalization.CultureInfo.InvariantCulture), -1);
    }
}

/// <summary>Holds a device lease and then fails, to show the runner releases what a failed stage held.</summary>
public sealed class LeaseThenFailStage : Stage<int, int, ScaleConfig>
{
    public override string Name => "lease-then-fail";
    public override string Description => "fails holding a lease";
    public override IReadOnlyList<string> Inputs => ["count"];

    public override IPropagatorBlock<int, int> Build(StageContext context, ScaleConfig config) =>
        new TransformBlock<int, int>(async v =>
        {
            // Deliberately not disposed: the runner must release it.
            await context.LeaseAsync(ByteSize.FromGiB(1));
            throw new InvalidOperationException("failed while holding a lease");
#pragma warning disable CS0162
            return v;
#pragma warning restore CS0162
        }, new ExecutionDataflowBlockOptions { CancellationToken = context.Cancellation });

    public override IAsyncEnumerable<int> ReplayAsync(StageContext context, ScaleConfig config, CancellationToken ct) =>
        AsyncEnumerable.Empty<int>();
}
