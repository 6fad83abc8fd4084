using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Training.Data;
using SafeDiffusion.Training.Engine;
using SafeDiffusion.Training.Objectives;
using SafeDiffusion.Training.Tests.Support;
using static TorchSharp.torch;

namespace SafeDiffusion.Training.Tests.Engine;

/// <summary>`gradient-checkpointing: true` reaches the UNet that runs the passes, and a step trains as it does without it.</summary>
public class GradientCheckpointingTrainingTests
{
    public GradientCheckpointingTrainingTests() => LibTorchRuntime.EnsureLoadable();

    private const double LearningRate = 1e-4;

    private static (StepMetrics Metrics, Dictionary<string, float[]> Weights) OneStep(bool checkpointing)
    {
        using var model = DiffusionTrainingModel.Load(TinySd.Sd1, CPU, TrainingPrecision.Float32, gradientCheckpointing: checkpointing);
        Assert.Equal(checkpointing, model.ComputeUnet.GradientCheckpointing);
        using var trainer = new DiffusionTrainer(model, new TrainerSettings { Steps = 1, Seed = 3, LearningRate = LearningRate }, new ObjectiveSettings());
        var random = new Random(5);
        var pixels = Enumerable.Range(0, 2 * 3 * 32 * 32).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        using var ids = model.Tokenizer.EncodeBatch(["a red square", "a blue circle"]);
        var batch = new TrainingBatch(pixels, ids.to_type(ScalarType.Int64).data<long>().ToArray(), (int)ids.shape[1], 32, [false, true], ["a", "b"],
            DataPosition.Start, EndsEpoch: false);
        var metrics = trainer.Step([batch]);
        return (metrics, model.Unet.named_parameters().ToDictionary(p => p.name, p => p.parameter.data<float>().ToArray()));
    }

    [Fact]
    public void A_checkpointed_step_gives_the_same_loss_and_weights()
    {
        var plain = OneStep(checkpointing: false);
        var checkpointed = OneStep(checkpointing: true);

        Assert.Equal(plain.Metrics.Loss, checkpointed.Metrics.Loss, 6);
        Assert.Equal(plain.Metrics.GradNorm, checkpointed.Metrics.GradNorm, 4);
        // AdamW's first step moves every weight by about the learning rate along its gradient's sign; a gradient of
        // rounding noise may flip, so weights agree to within twice the rate.
        foreach (var (name, expected) in plain.Weights)
        {
            var actual = checkpointed.Weights[name];
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 2.5 * LearningRate, $"{name}[{i}]: {actual[i]} against {expected[i]}");
        }
    }
}
