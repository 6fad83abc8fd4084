namespace SafeDiffusion.Training.Tests.Support;

/// <summary>
/// Tests that read the process's resident memory run alone: RSS is process-wide, so other tests training in parallel
/// would show up as growth.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurementCollection
{
    public const string Name = "memory measurements";
}
