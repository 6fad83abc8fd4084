using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.TinyWorld.Configuration;
using SafeDiffusion.TinyWorld.Pretraining;
using SafeDiffusion.TinyWorld.Tests.Support;

namespace SafeDiffusion.TinyWorld.Tests.Configuration;

public sealed class TinyWorldConfigTests
{
    [Fact]
    public void The_world_section_of_the_shipped_tiny_profile_binds()
    {
        var path = RepositoryRoot.Path("configs", "tiny.yaml");
        var document = ConfigDocument.Load(path);
        var config = TinyWorldConfig.Bind(document.Find("world"), path);
        Assert.Equal(32, config.ImageSize);
        Assert.Equal(0.1, config.HoldoutShare);
        Assert.Equal(8000, config.Classifier.TrainImages);
        Assert.True(config.Classifier.Augment);
        Assert.Equal(PretrainingOptimizerKind.Muon, config.Pretraining.Vae.Optimizer);
        Assert.Equal(PretrainingOptimizerKind.Muon, config.Pretraining.Denoiser.Optimizer);
        Assert.Equal(2.0, config.Pretraining.Denoiser.MuonRateFactor);
    }

    [Fact]
    public void An_unknown_optimizer_is_refused_with_the_ones_there_are()
    {
        var document = ConfigDocument.Parse("""
            world:
              pretraining:
                denoiser: { optimizer: sgd }
            """, "inline.yaml");

        var error = Assert.Throws<ConfigException>(() => TinyWorldConfig.Bind(document.Find("world"), "inline.yaml"));

        Assert.Contains("inline.yaml:3", error.Message);
        Assert.Contains("world.pretraining.denoiser.optimizer", error.Message);
        Assert.Contains("'sgd' is not allowed; use one of: adam-w, muon", error.Message);
    }

    [Fact]
    public void Keys_in_any_spelling_bind_and_missing_keys_keep_their_defaults()
    {
        var document = ConfigDocument.Parse("""
            world:
              image-size: 64
              holdout_share: 0.2
              classifier:
                epochs: 2
            """, "inline.yaml");
        var config = TinyWorldConfig.Bind(document.Find("world"), "inline.yaml");
        Assert.Equal(64, config.ImageSize);
        Assert.Equal(0.2, config.HoldoutShare);
        Assert.Equal(2, config.Classifier.Epochs);
        Assert.Equal(new TinyClassifierConfig().TrainImages, config.Classifier.TrainImages);
        Assert.Equal(new TinyWorldConfig().Seed, config.Seed);
        Assert.Equal(new TinyWorldConfig(), TinyWorldConfig.Bind(null, "none.yaml"));
    }

    [Fact]
    public void Bad_values_are_reported_with_file_line_and_key()
    {
        var document = ConfigDocument.Parse("""
            world:
              imageSize: 30
              holdoutShare: 2
              classifier:
                batchSize: 500
                trainImages: 100
                epoch: 3
            """, "bad.yaml");
        var error = Assert.Throws<ConfigException>(() => TinyWorldConfig.Bind(document.Find("world"), "bad.yaml"));
        Assert.Contains("bad.yaml:2", error.Message);
        Assert.Contains("world.imageSize", error.Message);
        Assert.Contains("multiple of 8", error.Message);
        Assert.Contains("world.holdoutShare", error.Message);
        Assert.Contains("world.classifier.batchSize", error.Message);
        Assert.Contains("Did you mean 'epochs'", error.Message);
    }
}
