namespace SafeDiffusion.Training.Data;

/// <summary>Training rows, one epoch at a time, in that epoch's (shuffled) order.</summary>
public interface ITrainingRowSource
{
    /// <summary>Which rows are taken, for messages (e.g. "clean and harmful train rows").</summary>
    string Description { get; }

    /// <summary>Where they come from, for messages (a dataset folder).</summary>
    string Location { get; }

    /// <summary>Every row of the set once, in an order that depends only on the source's seed and <paramref name="epoch"/>.</summary>
    IAsyncEnumerable<TrainingRow> ReadEpochAsync(int epoch, CancellationToken ct);
}
