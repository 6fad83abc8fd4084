using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Randomness;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Tokenization;
using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.Testing;
using SafeDiffusion.Training.Data;
using SafeDiffusion.Training.Tests.Support;

namespace SafeDiffusion.Training.Tests.Data;

public sealed class TrainingDataTests : IDisposable
{
    private readonly TempDirectory _dir = new("training-data");
    private readonly ClipTokenizer _tokenizer;

    public TrainingDataTests()
    {
        LibTorchRuntime.EnsureLoadable();
        _tokenizer = ClipTokenizer.FromFolder(Path.Combine(TinySd.Sd1, "tokenizer"));
    }

    public void Dispose() => _dir.Dispose();

    private static async Task<List<string>> EpochIds(ITrainingRowSource rows, int epoch)
    {
        var ids = new List<string>();
        await foreach (var row in rows.ReadEpochAsync(epoch, CancellationToken.None)) ids.Add(row.Id);
        return ids;
    }

    [Fact]
    public async Task Each_epoch_visits_every_kept_row_once_in_a_seeded_order_that_changes_between_epochs()
    {
        // 12 rows, every 4th held out: 9 train rows, of which the odd ids are harmful.
        var dataset = await TinyDataset.WriteAsync(_dir.File("data"), rows: 12, holdoutEvery: 4);
        var rows = TrainingHarness.Rows(dataset, seed: 3);
        var trainIds = Enumerable.Range(0, 12).Where(i => i % 4 != 3).Select(i => $"img-{i}").ToHashSet();

        var first = await EpochIds(rows, 0);
        var second = await EpochIds(rows, 1);
        var again = await EpochIds(TrainingHarness.Rows(dataset, seed: 3), 0);
        var otherSeed = await EpochIds(TrainingHarness.Rows(dataset, seed: 4), 0);

        Assert.Equal(trainIds.Order(), first.Order());
        Assert.Equal(trainIds.Order(), second.Order());
        Assert.Equal(first, again);
        Assert.NotEqual(first, second);
        Assert.NotEqual(first, otherSeed);
    }

    [Fact]
    public async Task The_order_does_not_depend_on_the_order_the_rows_were_stored_in()
    {
        // Parallel image generation stores rows as they finish, so two runs of the same data differ in stored order.
        var byNumber = await TinyDataset.WriteAsync(_dir.File("by-number"), rows: 12);
        var shuffled = await TinyDataset.WriteAsync(_dir.File("shuffled"), rows: 12, order: [7, 2, 11, 0, 5, 9, 1, 4, 10, 3, 8, 6]);

        for (int epoch = 0; epoch < 2; epoch++)
            Assert.Equal(await EpochIds(TrainingHarness.Rows(byNumber, seed: 3), epoch), await EpochIds(TrainingHarness.Rows(shuffled, seed: 3), epoch));
    }

    [Fact]
    public async Task Label_filters_keep_only_the_asked_class()
    {
        var dataset = await TinyDataset.WriteAsync(_dir.File("data"), rows: 8);
        var harmful = TrainingHarness.Rows(dataset, labels: new HashSet<PromptLabel> { PromptLabel.Harmful });

        var ids = await EpochIds(harmful, 0);

        Assert.Equal(["img-1", "img-3", "img-5", "img-7"], ids.Order());
    }

    [Fact]
    public async Task Batches_stop_at_the_epoch_end_and_a_source_started_mid_epoch_continues_with_the_same_batches()
    {
        var dataset = await TinyDataset.WriteAsync(_dir.File("data"), rows: 5);
        var rows = TrainingHarness.Rows(dataset);
        var options = TrainingHarness.Data(resolution: 16, batch: 2, workers: 2);

        var fromStart = new List<TrainingBatch>();
        await using (var source = TrainingDataSource.Start(rows, options, _tokenizer, DataPosition.Start))
            for (int i = 0; i < 6; i++) fromStart.Add(await source.NextAsync());
        var resumed = new List<TrainingBatch>();
        await using (var source = TrainingDataSource.Start(rows, options, _tokenizer, new DataPosition(0, 2)))
            for (int i = 0; i < 4; i++) resumed.Add(await source.NextAsync());

        // 5 rows in batches of 2: sizes 2, 2, 1 per epoch, the last flagged as the end.
        Assert.Equal([2, 2, 1, 2, 2, 1], fromStart.Select(b => b.Size));
        Assert.Equal([false, false, true, false, false, true], fromStart.Select(b => b.EndsEpoch));
        Assert.Equal([new DataPosition(0, 0), new DataPosition(0, 1), new DataPosition(0, 2), new DataPosition(1, 0)], fromStart.Take(4).Select(b => b.Position));
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(fromStart[i + 2].Ids, resumed[i].Ids);
            Assert.Equal(fromStart[i + 2].Pixels, resumed[i].Pixels);
            Assert.Equal(fromStart[i + 2].InputIds, resumed[i].InputIds);
        }
    }

    [Fact]
    public async Task Rows_carry_their_class_pixels_in_minus_one_to_one_and_their_prompt_tokens()
    {
        var dataset = await TinyDataset.WriteAsync(_dir.File("data"), rows: 2);
        await using var source = TrainingDataSource.Start(TrainingHarness.Rows(dataset), TrainingHarness.Data(resolution: 16) with { Image = new ImagePreprocessing(16, RandomFlip: false) },
            _tokenizer, DataPosition.Start);

        var seen = new Dictionary<string, TrainingBatch>();
        for (int i = 0; i < 2; i++)
        {
            var batch = await source.NextAsync();
            seen[batch.Ids[0]] = batch;
        }

        var harmful = seen["img-1"];
        Assert.True(harmful.Harmful[0]);
        Assert.False(seen["img-0"].Harmful[0]);
        // Channel 0 of row 1 is the flat shade 57: resized, it stays 57, which is 57 / 127.5 - 1.
        Assert.Equal(TinyDataset.Shade(1) / 255f * 2 - 1, harmful.Pixels[0], 1e-5);
        Assert.All(harmful.Pixels, v => Assert.InRange(v, -1f, 1f));
        Assert.Equal(_tokenizer.Encode("a harmful scene number 1").InputIds, harmful.InputIds);
    }

    [Fact]
    public void The_transform_centre_crops_the_resized_image_and_mirrors_it_when_flipping()
    {
        // 4 x 2 image, resolution 2: the short side is already 2, so no resize; the crop keeps columns 1 and 2.
        byte[] pixels = new byte[4 * 2 * 3];
        for (int y = 0; y < 2; y++)
        for (int x = 0; x < 4; x++)
            pixels[(y * 4 + x) * 3] = (byte)(10 * x + 100 * y);
        var image = new Rgb8Image(pixels, 4, 2);
        var plain = new float[12];
        var flipped = new float[12];
        TrainingImageTransform.Apply(image, new ImagePreprocessing(2, RandomFlip: false), new SplitMix64(1), plain);
        var random = FlipsNext();
        TrainingImageTransform.Apply(image, new ImagePreprocessing(2, RandomFlip: true), random, flipped);

        static float N(int b) => b / 255f * 2 - 1;
        Assert.Equal([N(10), N(20), N(110), N(120)], plain[..4].Select(v => (float)Math.Round(v, 6)).ToArray(), new ToleranceComparer());
        Assert.Equal([N(20), N(10), N(120), N(110)], flipped[..4].Select(v => (float)Math.Round(v, 6)).ToArray(), new ToleranceComparer());
        Assert.All(plain[4..], v => Assert.Equal(-1f, v));
    }

    [Theory]
    [InlineData(6, 4, 2, 3, 2)]     // the short side goes to 2, the long side int(2 * 6 / 4) = 3
    [InlineData(512, 768, 512, 512, 768)]
    [InlineData(100, 30, 20, 66, 20)]  // int(20 * 100 / 30) = 66
    public void Resizing_matches_torchvision_for_the_shorter_side(int width, int height, int resolution, int outWidth, int outHeight) =>
        Assert.Equal((outWidth, outHeight), TrainingImageTransform.ResizedSize(width, height, resolution));

    /// <summary>A generator whose first draw below 0.5 comes first, so the flip happens.</summary>
    private static SplitMix64 FlipsNext()
    {
        for (long seed = 0; ; seed++)
            if (new SplitMix64(seed).NextDouble() < 0.5) return new SplitMix64(seed);
    }

    private sealed class ToleranceComparer : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) < 1e-5;
        public int GetHashCode(float obj) => 0;
    }
}
