namespace SafeDiffusion.Training.Benchmarks;

/// <summary>Resident memory after a number of timed steps.</summary>
public sealed record MemorySample(int Step, long ResidentBytes);
