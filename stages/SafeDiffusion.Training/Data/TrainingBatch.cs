namespace SafeDiffusion.Training.Data;

/// <summary>
/// A preprocessed batch as plain arrays (it crosses threads from the decoders to the trainer; tensors are made in the
/// trainer's step): images in [-1, 1], prompt token ids, classes and where the batch sits in the data.
/// </summary>
/// <param name="Pixels">[B, 3, Resolution, Resolution] float32, row-major.</param>
/// <param name="InputIds">[B, TokenLength] CLIP token ids.</param>
/// <param name="EndsEpoch">The last batch of its epoch (which may be smaller than the batch size).</param>
public sealed record TrainingBatch(
    float[] Pixels,
    long[] InputIds,
    int TokenLength,
    int Resolution,
    IReadOnlyList<bool> Harmful,
    IReadOnlyList<string> Ids,
    DataPosition Position,
    bool EndsEpoch)
{
    public int Size => Harmful.Count;
}
