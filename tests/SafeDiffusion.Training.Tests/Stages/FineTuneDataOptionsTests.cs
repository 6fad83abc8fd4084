using SafeDiffusion.Images.Codecs;
using SafeDiffusion.Training.Data;
using SafeDiffusion.Training.Stages;

namespace SafeDiffusion.Training.Tests.Stages;

/// <summary>
/// Safety training and the attack turn rows into batches by one rule: the section's preprocessing, batch and worker
/// settings, and augmentation drawn from a stream of the run's seed that is not the seed itself.
/// </summary>
public class FineTuneDataOptionsTests
{
    [Fact]
    public void A_fine_tune_batches_rows_as_its_section_says()
    {
        var config = new SafetyTrainConfig
        {
            BatchSize = 3, CaptionDropout = 0.25, CenterCrop = false, RandomFlip = true, MaxImageSide = 300, Prefetch = 2, DataWorkers = 5,
        };

        var options = config.TrainingData(resolution: 64, seed: 7);

        Assert.Equal(new ImagePreprocessing(64, CenterCrop: false, RandomFlip: true), options.Image);
        Assert.Equal(3, options.BatchSize);
        Assert.Equal(0.25, options.CaptionDropout);
        Assert.Equal(ImageDecodeLimits.Square(300), options.ImageLimits);
        Assert.Equal(2, options.Prefetch);
        Assert.Equal(5, options.Workers);
    }

    [Fact]
    public void Augmentation_draws_from_its_own_stream_of_the_seed()
    {
        var options = new MaliciousFinetuneConfig().TrainingData(resolution: 32, seed: 7);

        Assert.NotEqual(7, options.Seed);
        Assert.NotEqual(options.Seed, new MaliciousFinetuneConfig().TrainingData(resolution: 32, seed: 8).Seed);
    }

    [Fact]
    public void The_attack_and_safety_training_with_the_same_settings_batch_alike()
    {
        var attack = new MaliciousFinetuneConfig { BatchSize = 2, RandomFlip = false }.TrainingData(resolution: 32, seed: 11);
        var safety = new SafetyTrainConfig { BatchSize = 2, RandomFlip = false }.TrainingData(resolution: 32, seed: 11);

        Assert.Equal(attack, safety);
    }
}
