using System.Threading.Tasks.Dataflow;

namespace SafeDiffusion.Evaluation.Stages;

/// <summary>
/// The block of a stage that needs every record of its inputs before it can write anything (a table over variants or
/// seeds): it gathers the records, and when its input completes it posts the one result of <c>write</c> and completes.
/// A fault or cancellation of the input, or an exception of <c>write</c>, faults the output.
/// </summary>
internal static class GatheringBlock
{
    public static IPropagatorBlock<TIn, TOut> Create<TIn, TOut>(Func<IReadOnlyList<TIn>, TOut> write, CancellationToken ct)
    {
        var records = new List<TIn>();
        var output = new BufferBlock<TOut>(new DataflowBlockOptions { CancellationToken = ct });
        var input = new ActionBlock<TIn>(records.Add, new ExecutionDataflowBlockOptions { CancellationToken = ct });
        input.Completion.ContinueWith(t =>
        {
            try
            {
                if (!t.IsCompletedSuccessfully) throw t.Exception?.GetBaseException() ?? new OperationCanceledException();
                output.Post(write(records));
                output.Complete();
            }
            catch (Exception e)
            {
                ((IDataflowBlock)output).Fault(e);
            }
        }, TaskScheduler.Default);
        return DataflowBlock.Encapsulate(input, output);
    }
}
