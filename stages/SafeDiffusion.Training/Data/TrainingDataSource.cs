using System.Globalization;
using System.Threading.Tasks.Dataflow;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Randomness;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Diffusion.Tokenization;
using SafeDiffusion.Images.Codecs;

namespace SafeDiffusion.Training.Data;

/// <summary>
/// Keeps the trainer fed: a producer walks the epochs of a row source from a start position, cuts each epoch into
/// batches (the last one of an epoch may be smaller, as a DataLoader without drop_last), and a Dataflow block decodes,
/// preprocesses and tokenizes them on worker threads, in order, at most <see cref="TrainingDataOptions.Prefetch"/>
/// batches ahead. Every random draw of a row (crop, flip, caption dropout) is seeded from the row's id and epoch, so
/// a batch is the same however many workers run and whether training started at the beginning or resumed.
/// </summary>
public sealed class TrainingDataSource : IAsyncDisposable
{
    private readonly ITrainingRowSource _rows;
    private readonly TrainingDataOptions _options;
    private readonly ClipTokenizer _tokenizer;
    private readonly CancellationTokenSource _stop;
    private readonly TransformBlock<BatchJob, TrainingBatch> _prepare;
    private readonly Task _producer;

    private TrainingDataSource(ITrainingRowSource rows, TrainingDataOptions options, ClipTokenizer tokenizer, DataPosition start, CancellationToken ct)
    {
        options.Validate();
        _rows = rows;
        _options = options;
        _tokenizer = tokenizer;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _prepare = new TransformBlock<BatchJob, TrainingBatch>(Prepare, new ExecutionDataflowBlockOptions
        {
            MaxDegreeOfParallelism = options.EffectiveWorkers,
            BoundedCapacity = options.Prefetch,
            EnsureOrdered = true,
            CancellationToken = _stop.Token,
        });
        _producer = Task.Run(() => ProduceAsync(start, _stop.Token));
    }

    /// <summary>Starts preparing batches from <paramref name="start"/> (skipping the earlier batches of that epoch unread).</summary>
    public static TrainingDataSource Start(ITrainingRowSource rows, TrainingDataOptions options, ClipTokenizer tokenizer, DataPosition start, CancellationToken ct = default) =>
        new(rows, options, tokenizer, start, ct);

    /// <summary>The next batch; epochs follow one another without end.</summary>
    public async Task<TrainingBatch> NextAsync(CancellationToken ct = default)
    {
        while (await _prepare.OutputAvailableAsync(ct).ConfigureAwait(false))
            if (_prepare.TryReceive(out var batch)) return batch;
        // The block only completes when the producer failed or the source was stopped: surface why.
        await _producer.ConfigureAwait(false);
        await _prepare.Completion.ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        throw new OperationCanceledException("the training data source was stopped.");
    }

    private async Task ProduceAsync(DataPosition start, CancellationToken ct)
    {
        try
        {
            for (int epoch = start.Epoch; ; epoch++)
            {
                int skip = epoch == start.Epoch ? start.Batch : 0;
                int index = 0;
                List<TrainingRow>? pending = null;
                var current = new List<TrainingRow>(_options.BatchSize);
                await foreach (var row in _rows.ReadEpochAsync(epoch, ct).ConfigureAwait(false))
                {
                    current.Add(row);
                    if (current.Count < _options.BatchSize) continue;
                    // One batch of look-ahead, so the last batch of the epoch is known to be the last.
                    if (pending is not null && !await SendAsync(pending, epoch, index++, false, skip, ct).ConfigureAwait(false)) return;
                    pending = current;
                    current = new List<TrainingRow>(_options.BatchSize);
                }
                if (current.Count > 0)
                {
                    if (pending is not null && !await SendAsync(pending, epoch, index++, false, skip, ct).ConfigureAwait(false)) return;
                    pending = current;
                }
                if (pending is null)
                    throw new InputDataException(_rows.Location, $"has no {_rows.Description} to train on.",
                        fix: "Check the dataset stage's output and the stage's label and split filters.");
                if (skip > index)
                    throw new InputDataException(_rows.Location, $"gives {index + 1} batches of {_rows.Description} in epoch {epoch}, but training resumes at batch {skip}; the data changed since the state was saved.",
                        fix: "Delete the stage's state folder to train from the start.");
                if (!await SendAsync(pending, epoch, index, true, skip, ct).ConfigureAwait(false)) return;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            _prepare.Complete();
        }
        catch (Exception e)
        {
            ((IDataflowBlock)_prepare).Fault(e);
            throw;
        }
    }

    private async Task<bool> SendAsync(List<TrainingRow> rows, int epoch, int index, bool endsEpoch, int skip, CancellationToken ct) =>
        index < skip || await _prepare.SendAsync(new BatchJob(rows, new DataPosition(epoch, index), endsEpoch), ct).ConfigureAwait(false);

    private TrainingBatch Prepare(BatchJob job)
    {
        int r = _options.Image.Resolution;
        int length = _tokenizer.MaxLength;
        int count = job.Rows.Count;
        var pixels = new float[count * 3 * r * r];
        var ids = new long[count * length];
        for (int i = 0; i < count; i++)
        {
            var row = job.Rows[i];
            var random = new SplitMix64(SeedDerivation.Derive(_options.Seed, "augment", job.Position.Epoch.ToString(CultureInfo.InvariantCulture), row.Id));
            var image = row.Image ?? PngCodec.Decode(row.Png ?? throw new ArgumentException($"row {row.Id} has neither image bytes nor pixels."),
                $"{row.Source} (image of row {row.Id})", _options.ImageLimits);
            TrainingImageTransform.Apply(image, _options.Image, random, pixels.AsSpan(i * 3 * r * r, 3 * r * r));
            bool dropCaption = _options.CaptionDropout > 0 && random.NextDouble() < _options.CaptionDropout;
            var tokens = _tokenizer.Encode(dropCaption ? "" : row.Text).InputIds;
            for (int j = 0; j < length; j++) ids[i * length + j] = tokens[j];
        }
        return new TrainingBatch(pixels, ids, length, r, job.Rows.Select(x => x.Harmful).ToArray(), job.Rows.Select(x => x.Id).ToArray(),
            job.Position, job.EndsEpoch);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _prepare.Complete();
        // A failure has already reached the trainer through NextAsync; stopping only has to wait for the work to end.
        await Task.WhenAll(_producer, _prepare.Completion).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        _stop.Dispose();
    }

    private sealed record BatchJob(List<TrainingRow> Rows, DataPosition Position, bool EndsEpoch);
}
