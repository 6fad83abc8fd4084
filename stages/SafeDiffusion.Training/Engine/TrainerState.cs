using SafeDiffusion.Training.Data;

namespace SafeDiffusion.Training.Engine;

/// <summary>Where a training run stands: everything besides tensors that a resumed run needs to continue exactly.</summary>
/// <param name="Step">Optimizer steps taken.</param>
/// <param name="Next">Where the next batch comes from.</param>
/// <param name="MicroBatches">Batches trained on so far: the index that seeds the next batch's noise and timesteps.</param>
/// <param name="Epoch">The epoch of the last batch trained on (-1 before the first): a batch of a later epoch resets the centre counts.</param>
public sealed record TrainerState(int Step, DataPosition Next, long MicroBatches, int Epoch)
{
    public static TrainerState Initial => new(0, DataPosition.Start, 0, -1);
}
