using System.Runtime.CompilerServices;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Randomness;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Datasets.Parts;
using SafeDiffusion.Datasets.Schemas;

namespace SafeDiffusion.Training.Data;

/// <summary>
/// Rows of an images dataset (ImagesSchema Parquet parts) with the wanted labels and split, streamed in a fresh
/// seeded order every epoch: the part files are visited in a shuffled order and rows pass through a shuffle buffer.
/// A dataset no larger than the buffer comes out as a seeded permutation of its rows sorted by id, so the order
/// depends only on the seed, the epoch and which rows there are, not on the order the image stage happened to
/// store them in (parallel generation stores them as they finish). A larger dataset is shuffled within the buffer's
/// reach while memory stays bounded by the buffer and one row group; its order then also follows the stored order.
/// </summary>
public sealed class ParquetTrainingRows : ITrainingRowSource
{
    private readonly ParquetPartReader<ImageRecord> _reader = new(ImagesSchema.Instance);

    /// <param name="directory">A folder of part files (or one file).</param>
    /// <param name="labels">Classes to keep.</param>
    /// <param name="split">Split to keep; null keeps both.</param>
    /// <param name="shuffleBuffer">Rows held for shuffling; 0 keeps the stored order.</param>
    public ParquetTrainingRows(string directory, IReadOnlySet<PromptLabel> labels, DatasetSplit? split, int shuffleBuffer, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shuffleBuffer);
        if (labels.Count == 0) throw new ArgumentException("at least one label must be kept.", nameof(labels));
        Directory = directory;
        Labels = labels;
        Split = split;
        ShuffleBuffer = shuffleBuffer;
        Seed = seed;
    }

    public string Directory { get; }
    public IReadOnlySet<PromptLabel> Labels { get; }
    public DatasetSplit? Split { get; }
    public int ShuffleBuffer { get; }
    public long Seed { get; }

    public string Description =>
        $"{string.Join(" and ", Labels.Order().Select(ContractValues.Text))} {(Split is { } s ? ContractValues.Text(s) + " " : "")}rows";

    public string Location => Directory;

    public async IAsyncEnumerable<TrainingRow> ReadEpochAsync(int epoch, [EnumeratorCancellation] CancellationToken ct)
    {
        var random = new SplitMix64(SeedDerivation.Derive(Seed, "shuffle", epoch.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var files = PartFiles.List(Directory).ToList();
        if (ShuffleBuffer > 0) random.Shuffle(files);
        var buffer = new List<TrainingRow>(Math.Min(ShuffleBuffer, 4096));
        foreach (var file in files)
        {
            await foreach (var record in _reader.ReadAsync(file, ct).ConfigureAwait(false))
            {
                if (!Labels.Contains(record.Label) || (Split is { } split && record.Split != split)) continue;
                var row = new TrainingRow(record.ImageId, record.Text, record.Label == PromptLabel.Harmful, record.Png, null, file);
                if (ShuffleBuffer == 0)
                {
                    yield return row;
                    continue;
                }
                if (buffer.Count < ShuffleBuffer)
                {
                    buffer.Add(row);
                    continue;
                }
                int j = random.Next(ShuffleBuffer);
                yield return buffer[j];
                buffer[j] = row;
            }
        }
        // Sorting first makes a dataset that fits in the buffer come out in the same order however it was stored.
        buffer.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        random.Shuffle(buffer);
        foreach (var row in buffer) yield return row;
    }
}
