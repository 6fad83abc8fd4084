using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Progress;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Schedulers;
using SafeDiffusion.Diffusion.TextEncoders;
using SafeDiffusion.Diffusion.Unet;
using SafeDiffusion.TinyWorld.Classifier;
using SafeDiffusion.TinyWorld.Configuration;
using SafeDiffusion.TinyWorld.Models;
using SafeDiffusion.TinyWorld.Pretraining;
using SafeDiffusion.TinyWorld.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Tests.Pretraining;

/// <summary>
/// Representation alignment: the projector's loss is one minus a cosine similarity per cell, and pretraining with it
/// pulls the UNet's hidden state towards the teacher's features while weight 0 trains exactly the plain loss.
/// </summary>
[Collection(GlobalTorchStateCollection.Name)]
public sealed class RepresentationAlignmentTests
{
    public RepresentationAlignmentTests() => LibTorchRuntime.EnsureLoadable();

    [Fact]
    public void The_loss_is_one_minus_the_cosine_similarity_of_each_cell()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(3);
        using var projector = new RepresentationProjector(8, 16, 5);
        var hidden = randn([2, 8, 3, 3]);
        using var noGrad = no_grad();
        var projected = projector.forward(hidden);
        // By hand: the normalised dot product of every (sample, cell) pair.
        var teacher = randn([2, 5, 3, 3]);
        var dot = (projected * teacher).sum(1);
        var cosine = dot / (projected.norm(1) * teacher.norm(1));
        double expected = (1 - cosine).mean().item<float>();

        Assert.Equal(expected, projector.Loss(hidden, teacher).item<float>(), 5);
        Assert.Equal(0.0, projector.Loss(hidden, projected * 3).item<float>(), 5);
        Assert.Equal(2.0, projector.Loss(hidden, -projected).item<float>(), 5);
    }

    [Fact]
    public void Features_on_another_grid_are_refused()
    {
        using var scope = NewDisposeScope();
        using var projector = new RepresentationProjector(8, 16, 5);
        Assert.Throws<ArgumentException>(() => projector.Loss(randn([2, 8, 4, 4]), randn([2, 5, 3, 3])));
    }

    private static (float[] Weights, DenoiserTrainingReport Report) Train(double alignmentWeight, Tensor? teacher, int steps = 2)
    {
        using var generator = new Generator(8);
        using var latents = torch.randn([8, 4, 16, 16], generator: generator);
        using var ids = torch.randint(0, 700, [8, 32], ScalarType.Int64, generator: generator);
        using var emptyIds = torch.zeros(32, ScalarType.Int64);
        using var ddpm = new DdpmScheduler(TinyModelConfigs.Scheduler());
        using var unet = FreshModules.Create(1, () => new UNet2DConditionModel(TinyModelConfigs.Unet()));
        using var text = FreshModules.Create(2, () => new CLIPTextModel(TinyModelConfigs.TextEncoder()));
        torch.manual_seed(4);
        var options = new DenoiserPretrainingOptions { Steps = steps, BatchSize = 4, WarmupSteps = 1, LearningRate = 1e-3, AlignmentWeight = alignmentWeight };
        var report = DenoiserPretrainer.Train(unet, text, ddpm.Schedule, latents, ids, emptyIds, options, 3, NullProgressSink.Instance, default, 1, null, teacher);
        return (unet.parameters().SelectMany(p => p.detach().flatten().data<float>().ToArray()).ToArray(), report);
    }

    [Fact]
    public void Weight_zero_trains_exactly_what_the_plain_loss_trains()
    {
        using var teacher = torch.randn([8, 64, 8, 8]);
        var plain = Train(0, null);
        var unaligned = Train(0, teacher);
        Assert.Equal(plain.Weights, unaligned.Weights);
        Assert.Null(unaligned.Report.FinalAlignmentLoss);
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void Alignment_changes_the_unet_and_its_loss_falls_with_training()
    {
        // One teacher map for every image, so the hidden state can match it from any noise level.
        using var teacher = torch.randn([1, 64, 8, 8]).expand(8, -1, -1, -1).contiguous();
        var plain = Train(0, null);
        var aligned = Train(1, teacher);
        Assert.NotEqual(plain.Weights, aligned.Weights);
        var first = Train(1, teacher, steps: 1).Report.FinalAlignmentLoss!.Value;
        var later = Train(1, teacher, steps: 60).Report.FinalAlignmentLoss!.Value;
        Assert.InRange(first, 0.5, 1.5);
        Assert.True(later < first - 0.2, $"alignment loss {later:F3} after 60 steps against {first:F3} after one");
    }

    [Fact]
    public void The_teacher_is_the_classifiers_cell_features_of_each_clean_image()
    {
        var world = new TinyWorldConfig
        {
            Classifier = new TinyClassifierConfig { TrainImages = 64, HoldoutImages = 32, Epochs = 1, BatchSize = 32, Threads = 1 },
        };
        using var classifier = TinyWorldClassifier.Train(world);
        using var set = PretrainingSet.Render(world, 12, NullProgressSink.Instance, default);
        using var scope = NewDisposeScope();

        using var teacher = TinyBaseModelBuilder.TeacherFeatures(classifier, set.Pixels);

        Assert.Equal(new long[] { 12, SceneClassifierNet.CellFeatureDimension, 8, 8 }, teacher.shape);
        // The pretraining pixels are in [-1, 1]; the classifier reads 0..1, image by image the same as in a batch of one.
        var single = classifier.CellFeatures((set.Pixels.narrow(0, 5, 1) + 1) / 2);
        Assert.True((teacher.narrow(0, 5, 1) - single).abs().max().item<float>() < 1e-4f);
        Assert.True((teacher[0] - teacher[5]).abs().max().item<float>() > 1e-2f);
        Assert.True(teacher.min().item<float>() >= 0, "cell features are ReLU outputs");
    }

    [Fact]
    public void The_alignment_weight_binds_from_yaml_and_a_negative_one_is_refused()
    {
        var document = ConfigDocument.Parse("""
            world:
              pretraining:
                denoiser: { steps: 8000, alignmentWeight: 1.5 }
            """, "aligned.yaml");
        var config = TinyWorldConfig.Bind(document.Find("world"), "aligned.yaml");
        Assert.Equal(1.5, config.Pretraining.Denoiser.AlignmentWeight);
        Assert.Equal(0.0, new TinyWorldConfig().Pretraining.Denoiser.AlignmentWeight);

        var bad = ConfigDocument.Parse("""
            world:
              pretraining:
                denoiser: { alignmentWeight: -1 }
            """, "bad.yaml");
        var error = Assert.Throws<ConfigException>(() => TinyWorldConfig.Bind(bad.Find("world"), "bad.yaml"));
        Assert.Contains("alignmentWeight", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_teacher_for_another_number_of_images_is_refused()
    {
        using var teacher = torch.randn([7, 64, 8, 8]);
        Assert.Throws<ArgumentException>(() => Train(1, teacher));
    }
}
