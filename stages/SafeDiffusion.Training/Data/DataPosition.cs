namespace SafeDiffusion.Training.Data;

/// <summary>Where in the data the next batch comes from: its epoch and its index among that epoch's batches.</summary>
public readonly record struct DataPosition(int Epoch, int Batch)
{
    public static DataPosition Start => new(0, 0);

    /// <summary>The position after a batch at this position; <paramref name="endedEpoch"/> when it was its epoch's last.</summary>
    public DataPosition After(bool endedEpoch) => endedEpoch ? new DataPosition(Epoch + 1, 0) : this with { Batch = Batch + 1 };
}
