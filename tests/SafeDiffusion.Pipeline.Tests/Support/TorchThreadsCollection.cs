namespace SafeDiffusion.Pipeline.Tests.Support;

/// <summary>
/// Tests that change libtorch's thread count run alone. The count is process-wide (MKL's is global), and data-parallel
/// pretraining sets it to one per replica while it trains: a test generating images beside it would compute some
/// steps on other thread counts and lose bit-for-bit reproducibility.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchThreadsCollection
{
    public const string Name = "process-wide torch threads";
}
