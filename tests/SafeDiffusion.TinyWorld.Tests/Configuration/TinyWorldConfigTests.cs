using System.Globalization;
using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.TinyWorld.Configuration;
using SafeDiffusion.TinyWorld.Pretraining;
using SafeDiffusion.TinyWorld.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace SafeDiffusion.TinyWorld.Tests.Configuration;

public sealed class TinyWorldConfigTests
{
    [Fact]
    public void The_world_section_of_the_shipped_tiny_profile_binds_to_what_the_file_says()
    {
        var path = RepositoryRoot.Path("configs", "tiny.yaml");
        var document = ConfigDocument.Load(path);
        var config = TinyWorldConfig.Bind(document.Find("world"), path);

        // Read back from the file itself, so the test follows the recipe instead of copying its numbers.
        string Raw(string key) => Assert.IsType<YamlScalarNode>(document.Find("world." + key)).Value!;
        double Number(string key) => double.Parse(Raw(key), CultureInfo.InvariantCulture);
        Assert.Equal(Number("imageSize"), config.ImageSize);
        Assert.Equal(Number("holdoutShare"), config.HoldoutShare);
        Assert.Equal(Number("classifier.trainImages"), config.Classifier.TrainImages);
        Assert.Equal(bool.Parse(Raw("classifier.augment")), config.Classifier.Augment);
        Assert.Equal(Raw("pretraining.vae.optimizer"), ToYamlName(config.Pretraining.Vae.Optimizer));
        Assert.Equal(Raw("pretraining.denoiser.optimizer"), ToYamlName(config.Pretraining.Denoiser.Optimizer));
        Assert.Equal(Number("pretraining.denoiser.muonRateFactor"), config.Pretraining.Denoiser.MuonRateFactor);
    }

    private static string ToYamlName(PretrainingOptimizerKind kind) => kind switch
    {
        PretrainingOptimizerKind.Muon => "muon",
        PretrainingOptimizerKind.AdamW => "adam-w",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

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
