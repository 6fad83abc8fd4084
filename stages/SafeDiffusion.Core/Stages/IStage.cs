using System.Threading.Tasks.Dataflow;

namespace SafeDiffusion.Core.Stages;

/// <summary>The message a source stage (one with no upstream) receives once when the graph starts.</summary>
public sealed record RunStarted(string RunId, long Seed);

/// <summary>
/// A named step of a pipeline: typed input and output records, a config section (keyed by its name under
/// <c>stages:</c>), and the Dataflow blocks that do the work. Stages know nothing about each other beyond the
/// names of their upstream stages; a <see cref="StageGraph"/> links them.
/// </summary>
public interface IStage
{
    string Name { get; }
    string Description { get; }
    /// <summary>Stages whose output records flow into this one.</summary>
    IReadOnlyList<string> Inputs { get; }
    /// <summary>Further stages whose artifacts this one reads from the run (they count towards its fingerprint).</summary>
    IReadOnlyList<string> Reads { get; }
    Type InputType { get; }
    Type OutputType { get; }
    Type ConfigType { get; }
}

/// <summary>
/// Base class for stages. Implement <see cref="Build"/> (the live blocks) and <see cref="ReplayAsync"/> (the same
/// output records read back from this stage's artifacts, so a downstream stage can rerun alone).
/// </summary>
public abstract class Stage<TIn, TOut, TConfig> : IStage, IInstantiableStage where TConfig : class, new()
{
    public abstract string Name { get; }
    public abstract string Description { get; }
    public virtual IReadOnlyList<string> Inputs => [];
    public virtual IReadOnlyList<string> Reads => [];
    public Type InputType => typeof(TIn);
    public Type OutputType => typeof(TOut);
    public Type ConfigType => typeof(TConfig);

    /// <summary>Builds the blocks for one execution. Honour <see cref="StageContext.Cancellation"/> in their options.</summary>
    public abstract IPropagatorBlock<TIn, TOut> Build(StageContext context, TConfig config);

    /// <summary>Reads back the output records this stage recorded in <see cref="StageContext.Run"/>.</summary>
    public abstract IAsyncEnumerable<TOut> ReplayAsync(StageContext context, TConfig config, CancellationToken ct);

    IStageInstance IInstantiableStage.Instantiate(StageContext context, object config) =>
        new StageInstance<TIn, TOut>(Name, context, Build(context, (TConfig)config));

    IStageInstance IInstantiableStage.InstantiateReplay(StageContext context, object config) =>
        new ReplayInstance<TOut>(Name, context, ReplayAsync(context, (TConfig)config, context.Cancellation));
}

/// <summary>How the runner, which holds stages as <see cref="IStage"/>, creates their typed blocks.</summary>
internal interface IInstantiableStage
{
    IStageInstance Instantiate(StageContext context, object config);
    IStageInstance InstantiateReplay(StageContext context, object config);
}
