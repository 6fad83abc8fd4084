namespace SafeDiffusion.TinyWorld.Tests.Support;

/// <summary>
/// Tests that change libtorch's process-wide state, or depend on it staying put, run alone.
/// The thread count is process-wide (MKL's is global), and data-parallel pretraining sets it to one per replica while
/// it trains: a test generating images beside it would compute some steps on other thread counts and lose
/// bit-for-bit reproducibility. The default generator is process-wide too: a module's constructor draws its initial
/// weights from it, so a test that seeds it and expects the same weights twice fails when another test builds a
/// module in between.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalTorchStateCollection
{
    public const string Name = "process-wide torch state";
}
