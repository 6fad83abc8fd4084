using System.Threading.Tasks.Dataflow;

namespace SafeDiffusion.Core.Stages;

/// <summary>One stage's blocks wired into a running graph (live or replayed from artifacts).</summary>
internal interface IStageInstance
{
    string Name { get; }
    StageContext Context { get; }
    /// <summary>Completes when the stage has produced everything and downstream has taken it.</summary>
    Task Completion { get; }
    /// <summary>Where this stage's output records go; subscribers are added before <see cref="Start"/>.</summary>
    IOutputPort Output { get; }
    /// <summary>Registers an upstream stage's output as one of this stage's inputs.</summary>
    void AddInput(IOutputPort upstream);
    void Start();
    void Fault(Exception error);
}

internal interface IOutputPort
{
    Type ItemType { get; }
    string Owner { get; }
    /// <summary>Records that reached no downstream stage (a terminal stage's results).</summary>
    IReadOnlyList<object> Collected { get; }
    /// <summary>Completes when every output record has been handed on (or collected).</summary>
    Task Drained { get; }
}

/// <summary>
/// Moves one source's records to any number of targets. Records are pulled (receive, then SendAsync to each target
/// in turn) rather than linked: a bounded target pushes back on the source, and on cancellation nothing is left
/// reserved between blocks, so every block can settle. With no targets the records are collected for the caller.
/// </summary>
internal sealed class OutputPort<T>(string owner, ISourceBlock<T> source) : IOutputPort
{
    private readonly List<InputJoin<T>> _targets = [];
    private readonly List<T> _collected = [];

    public Type ItemType => typeof(T);
    public string Owner { get; } = owner;
    public ISourceBlock<T> Source { get; } = source;

    public IReadOnlyList<object> Collected
    {
        get { lock (_collected) return _collected.Cast<object>().ToList(); }
    }

    public Task Drained { get; private set; } = Task.CompletedTask;

    public void Subscribe(InputJoin<T> target) => _targets.Add(target);

    public void Activate(CancellationToken ct) => Drained = Task.Run(() => PumpAsync(ct), CancellationToken.None);

    private async Task ForwardAsync(T item, CancellationToken ct)
    {
        if (_targets.Count == 0)
        {
            lock (_collected) _collected.Add(item);
            return;
        }
        foreach (var t in _targets)
            if (!await t.Target.SendAsync(item, ct).ConfigureAwait(false))
                throw new OperationCanceledException($"A stage downstream of {Owner} stopped accepting records.");
    }

    private async Task PumpAsync(CancellationToken ct)
    {
        Exception? failure = null;
        try
        {
            var receivable = Source as IReceivableSourceBlock<T>;
            while (await Source.OutputAvailableAsync(ct).ConfigureAwait(false))
            {
                if (receivable is not null)
                {
                    while (receivable.TryReceive(null, out var item)) await ForwardAsync(item, ct).ConfigureAwait(false);
                }
                else
                {
                    await ForwardAsync(await Source.ReceiveAsync(ct).ConfigureAwait(false), ct).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e)
        {
            failure = e;
        }
        // The source is done (or we stopped): tell each target, passing on the source's own outcome.
        var outcome = failure is null
            ? await Source.Completion.ContinueWith(t => t, TaskScheduler.Default).ConfigureAwait(false)
            : Task.FromException(failure);
        foreach (var t in _targets) t.SourceFinished(outcome);
    }
}

/// <summary>Completes a target once every upstream feeding it has finished; faults it when one fails.</summary>
internal sealed class InputJoin<T>(ITargetBlock<T> target)
{
    private int _pending;

    public ITargetBlock<T> Target { get; } = target;

    public void Expect() => Interlocked.Increment(ref _pending);

    public void SourceFinished(Task sourceCompletion)
    {
        if (sourceCompletion.IsFaulted)
            Target.Fault(new UpstreamFailedException(sourceCompletion.Exception!.GetBaseException()));
        else if (sourceCompletion.IsCanceled)
            Target.Fault(new OperationCanceledException());
        else if (Interlocked.Decrement(ref _pending) == 0)
            Target.Complete();
    }
}

/// <summary>Marks a stage that stopped because something upstream of it failed (not a cause in itself).</summary>
public sealed class UpstreamFailedException(Exception cause) : Exception("An upstream stage failed.", cause);

internal sealed class StageInstance<TIn, TOut> : IStageInstance
{
    private readonly IPropagatorBlock<TIn, TOut> _block;
    private readonly InputJoin<TIn> _join;
    private readonly OutputPort<TOut> _output;

    public StageInstance(string name, StageContext context, IPropagatorBlock<TIn, TOut> block)
    {
        Name = name;
        Context = context;
        _block = block;
        _join = new InputJoin<TIn>(block);
        _output = new OutputPort<TOut>(name, block);
    }

    public string Name { get; }
    public StageContext Context { get; }
    public IOutputPort Output => _output;
    public OutputPort<TOut> TypedOutput => _output;

    // The block's own completion covers its work; the stage is done when its output has also been handed on.
    public Task Completion => _block.Completion;

    public void AddInput(IOutputPort upstream)
    {
        if (upstream is not OutputPort<TIn> port)
            throw new InvalidOperationException($"{upstream.Owner} produces {upstream.ItemType.Name}, but {Name} takes {typeof(TIn).Name}.");
        _join.Expect();
        port.Subscribe(_join);
    }

    public void Start()
    {
        _output.Activate(Context.Cancellation);
        if (typeof(TIn) == typeof(RunStarted) && _join is InputJoin<RunStarted> source)
        {
            source.Target.Post(new RunStarted(Context.Run.Id, Context.Config.Seed));
            source.Target.Complete();
        }
    }

    public void Fault(Exception error) => _block.Fault(error);
}

/// <summary>A stage that is not executed: its recorded outputs are read back from the run and fed downstream.</summary>
internal sealed class ReplayInstance<TOut> : IStageInstance
{
    private readonly BufferBlock<TOut> _buffer;
    private readonly OutputPort<TOut> _output;
    private readonly IAsyncEnumerable<TOut> _records;

    public ReplayInstance(string name, StageContext context, IAsyncEnumerable<TOut> records)
    {
        Name = name;
        Context = context;
        _records = records;
        _buffer = new BufferBlock<TOut>(new DataflowBlockOptions { BoundedCapacity = 64, CancellationToken = context.Cancellation });
        _output = new OutputPort<TOut>(name, _buffer);
    }

    public string Name { get; }
    public StageContext Context { get; }
    public IOutputPort Output => _output;
    public Task Completion => _buffer.Completion;

    public void AddInput(IOutputPort upstream) { }

    public void Start()
    {
        _output.Activate(Context.Cancellation);
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var item in _records.WithCancellation(Context.Cancellation).ConfigureAwait(false))
                    if (!await _buffer.SendAsync(item, Context.Cancellation).ConfigureAwait(false)) return;
                _buffer.Complete();
            }
            catch (Exception e)
            {
                ((IDataflowBlock)_buffer).Fault(e);
            }
        });
    }

    public void Fault(Exception error) => ((IDataflowBlock)_buffer).Fault(error);
}
