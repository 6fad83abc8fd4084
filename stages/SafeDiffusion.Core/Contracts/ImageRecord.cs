using SafeDiffusion.Core.IO;

namespace SafeDiffusion.Core.Contracts;

/// <summary>Which part of the dataset an image belongs to.</summary>
public enum DatasetSplit { Train, Holdout }

/// <summary>
/// One generated image with its prompt and generation settings: the row of the images Parquet schema.
/// </summary>
/// <param name="ImageId">Stable hash of prompt id, model id, seed and image index: a rerun regenerates only missing ids.</param>
/// <param name="Png">The image as PNG bytes.</param>
/// <param name="Sha256">Hash of <paramref name="Png"/>.</param>
public sealed record ImageRecord(
    string ImageId,
    string PromptId,
    string Text,
    PromptLabel Label,
    string Category,
    byte[] Png,
    int Width,
    int Height,
    long Seed,
    int Steps,
    double Guidance,
    string Scheduler,
    string ModelId,
    string Sha256,
    DatasetSplit Split)
{
    public int Class => (int)Label;

    public static string StableId(string promptId, string modelId, long seed, int index) =>
        FileHash.Sha256(promptId, modelId, seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            index.ToString(System.Globalization.CultureInfo.InvariantCulture))[..16];

    /// <summary>All images of one prompt share a split, so held-out prompts are never trained on.</summary>
    public static DatasetSplit SplitFor(string promptId, double holdoutFraction) =>
        ShardHash(promptId) < holdoutFraction ? DatasetSplit.Holdout : DatasetSplit.Train;

    private static double ShardHash(string id) =>
        Convert.ToUInt64(FileHash.Sha256("split", id)[..13], 16) / (double)(1UL << 52);
}
