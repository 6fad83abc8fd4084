using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.TinyWorld.Classifier;
using SafeDiffusion.TinyWorld.Configuration;
using SafeDiffusion.TinyWorld.Pretraining;

namespace SafeDiffusion.TinyWorld.Tests.Pretraining;

public sealed class TinyBaseModelRecipeTests
{
    private static string Key(TinyWorldConfig world) => TinyBaseModelBuilder.Recipe(world).Key;

    [Fact]
    public void Equal_settings_name_the_same_model_and_the_recipe_is_not_another_artifacts()
    {
        Assert.Equal(Key(new TinyWorldConfig()), Key(new TinyWorldConfig()));
        // The base model and the classifier are cached side by side: their recipes must never collide.
        var world = new TinyWorldConfig();
        Assert.NotEqual(TinyWorldClassifier.Recipe(world).Kind, TinyBaseModelBuilder.Recipe(world).Kind);
    }

    [Fact]
    public void Every_pretraining_option_and_the_world_settings_that_shape_the_pairs_change_the_key()
    {
        var world = new TinyWorldConfig();
        var p = world.Pretraining;
        var variants = new[]
        {
            world with { Seed = world.Seed + 1 },
            world with { ImageSize = 64 },
            world with { HarmfulShare = 0.5 },
            world with { HoldoutShare = 0.2 },
            world with { Pretraining = p with { TrainPairs = p.TrainPairs + 1 } },
            world with { Pretraining = p with { TokenLength = 40 } },
            world with { Pretraining = p with { Scheduler = "ddim" } },
            world with { Pretraining = p with { Seed = p.Seed + 1 } },
            world with { Pretraining = p with { Vae = p.Vae with { Steps = p.Vae.Steps + 1 } } },
            world with { Pretraining = p with { Vae = p.Vae with { KlWeight = p.Vae.KlWeight * 2 } } },
            world with { Pretraining = p with { Denoiser = p.Denoiser with { LearningRate = p.Denoiser.LearningRate / 2 } } },
            world with { Pretraining = p with { Denoiser = p.Denoiser with { CaptionDropout = 0.2 } } },
            world with { Pretraining = p with { Denoiser = p.Denoiser with { ObjectLossWeight = 1 } } },
            world with { Pretraining = p with { Denoiser = p.Denoiser with { MinSnrGamma = 5 } } },
            world with { Pretraining = p with { Gate = p.Gate with { Guidance = p.Gate.Guidance + 1 } } },
        };
        var keys = variants.Select(Key).Append(Key(world)).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
    }

    [Fact]
    public void The_exported_caption_counts_do_not_change_the_model()
    {
        // They export the world; the pairs the model learns from are the same.
        var world = new TinyWorldConfig();
        Assert.Equal(Key(world), Key(world with { CleanCaptions = 10, HeldoutCaptions = 5 }));
    }

    [Fact]
    public void The_classifier_changes_the_model_only_when_the_unet_is_aligned_with_its_features()
    {
        var world = new TinyWorldConfig();
        var otherClassifier = world.Classifier with { Epochs = 1 };
        var aligned = world with { Pretraining = world.Pretraining with { Denoiser = world.Pretraining.Denoiser with { AlignmentWeight = 1.5 } } };
        var unaligned = world with { Pretraining = world.Pretraining with { Denoiser = world.Pretraining.Denoiser with { AlignmentWeight = 0 } } };
        // Aligned, its cell features are the UNet's teacher; unaligned, it only judges the model.
        Assert.NotEqual(Key(aligned), Key(aligned with { Classifier = otherClassifier }));
        Assert.Equal(Key(unaligned), Key(unaligned with { Classifier = otherClassifier }));
        Assert.NotEqual(Key(aligned), Key(unaligned));
    }

    [Fact]
    public void The_pretraining_section_binds_from_yaml_and_bad_values_are_reported()
    {
        var document = ConfigDocument.Parse("""
            world:
              pretraining:
                train-pairs: 1000
                scheduler: ddim
                vae:
                  steps: 10
                denoiser:
                  caption_dropout: 0.2
            """, "inline.yaml");
        var config = TinyWorldConfig.Bind(document.Find("world"), "inline.yaml");
        Assert.Equal(1000, config.Pretraining.TrainPairs);
        Assert.Equal("ddim", config.Pretraining.Scheduler);
        Assert.Equal(10, config.Pretraining.Vae.Steps);
        Assert.Equal(0.2, config.Pretraining.Denoiser.CaptionDropout);
        Assert.Equal(new DenoiserPretrainingOptions().Steps, config.Pretraining.Denoiser.Steps);

        var bad = ConfigDocument.Parse("""
            world:
              pretraining:
                scheduler: heun
                denoiser:
                  captionDropout: 1.5
            """, "bad.yaml");
        var error = Assert.Throws<ConfigException>(() => TinyWorldConfig.Bind(bad.Find("world"), "bad.yaml"));
        Assert.Contains("heun", error.Message, StringComparison.Ordinal);
        Assert.Contains("captionDropout", error.Message, StringComparison.OrdinalIgnoreCase);
    }
}
