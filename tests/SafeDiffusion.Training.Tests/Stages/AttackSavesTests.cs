using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Devices;
using SafeDiffusion.Core.Progress;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Datasets.Stages;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Testing;
using SafeDiffusion.Training.Metrics;
using SafeDiffusion.Training.Stages;
using SafeDiffusion.Training.Tests.Support;

namespace SafeDiffusion.Training.Tests.Stages;

/// <summary>
/// The attack saves every model along the way for the recovery curves: a save at step k is the model an attack of
/// k steps writes, and the control is attacked beside the base and the safe model.
/// </summary>
public sealed class AttackSavesTests : IDisposable
{
    private readonly TempDirectory _dir = new("attack-saves");

    public AttackSavesTests() => LibTorchRuntime.EnsureLoadable();

    public void Dispose() => _dir.Dispose();

    private const string UnetWeights = "unet/diffusion_pytorch_model.safetensors";

    /// <summary>Safety training, the control and the attack on tiny-sd1, in a run of their own; the attack's matrix.</summary>
    private async Task<(ModelMatrix Matrix, Run Run)> AttackAsync(string runName, string attack, bool withControl)
    {
        var yaml = $$"""
            name: {{runName}}
            seed: 7
            devices: [{ id: cpu, memory: 4GiB }]
            models:
              base: { path: "{{TinySd.Sd1}}" }
            stages:
              safety-train: { method: lt, steps: 1, resolution: 32, lambda: 0.001 }
              {{(withControl ? "control-train: { method: plain, rows: clean-only, steps: 1, resolution: 32 }" : "")}}
              malicious-finetune: { resolution: 32, {{attack}} }
            """;
        var document = ConfigDocument.Parse(yaml, runName + ".yaml");
        var binder = new ConfigBinder(document);
        var config = binder.Bind<PipelineConfig>(document.Root, "");
        binder.ThrowIfAny();
        List<IStage> stages =
        [
            new FakeDatasetStage(rows: 4),
            new SafetyTrainStage(SafetyTrainStage.StageName, DatasetStage.DefaultName, ModelVariant.Safe),
        ];
        if (withControl) stages.Add(new SafetyTrainStage(ControlTraining.StageName, DatasetStage.DefaultName, ModelVariant.Control));
        stages.Add(new MaliciousFinetuneStage(MaliciousFinetuneStage.StageName, SafetyTrainStage.StageName,
            withControl ? ControlTraining.StageName : null, DatasetStage.DefaultName));
        var configs = StageConfigs.Bind(stages, config, document);
        var run = new RunStore(_dir.File("runs-" + runName)).Create(document, config);
        var env = new PipelineEnvironment(run, config, document, DeviceScheduler.FromConfig(config), NullProgressSink.Instance,
            new ModelCatalog(config.Models, [], _dir.Path), ShardSpec.All);
        var result = await new GraphRunner().RunAsync(new StageGraph(runName, stages), configs, env,
            new RunSelection(stages.Select(s => s.Name).ToHashSet()), CancellationToken.None);
        return (Assert.IsType<ModelMatrix>(Assert.Single(result.Outputs)), run);
    }

    [Trait("Category", "Slow")]
    [Fact]
    public async Task An_attack_saved_at_0_2_and_4_with_steps_2_saves_each_model_at_2_and_4_and_its_step_2_save_is_the_2_step_attack()
    {
        var (matrix, run) = await AttackAsync("curve", "steps: 2, save-at: [0, 2, 4]", withControl: true);
        using var _ = run;

        // Six models: base, safe and control, before and after the protocol point (2 steps).
        Assert.Equal(6, matrix.Models.Count);
        Assert.Equal(2, matrix.AttackSteps);
        foreach (var variant in new[] { ModelVariant.Base, ModelVariant.Safe, ModelVariant.Control })
        {
            var saves = matrix.Checkpoints.Where(c => c.Variant == variant).OrderBy(c => c.Step).ToList();
            Assert.Equal([0, 2, 4], saves.Select(c => c.Step));
            // Step 0 is the model before the attack; 2 is the "after" arm; every attacked save is a whole model folder.
            Assert.Equal(matrix.Get(variant, attacked: false).ModelDirectory, saves[0].ModelDirectory);
            Assert.Equal(matrix.Get(variant, attacked: true).ModelDirectory, saves[1].ModelDirectory);
            Assert.All(saves.Skip(1), s => Assert.True(File.Exists(Path.Combine(s.ModelDirectory, UnetWeights)), $"{variant} at {s.Step}"));
            Assert.All(saves.Skip(1), s => Assert.True(File.Exists(Path.Combine(s.ModelDirectory, "model_index.json"))));
            Assert.NotEqual(saves[1].ModelDirectory, saves[2].ModelDirectory);
        }
        // The attack ran to the last save: 4 steps logged per model, the control's included.
        var attackDir = Path.Combine(run.Directory, MaliciousFinetuneStage.StageName);
        Assert.Equal(4, TrainingMetricsLog.Read(Path.Combine(attackDir, "control", "metrics.csv")).Count);
        Assert.Equal("control (plain clean fine-tune)", matrix.Get(ModelVariant.Control, attacked: false).Label);
        Assert.StartsWith(Path.Combine(run.Directory, ControlTraining.StageName), matrix.Get(ModelVariant.Control, attacked: false).ModelDirectory);
        // The replayed result names the same saves (stored relative to the run).
        Assert.Equal(matrix.Checkpoints, StageResultFile.Read(run, attackDir).Checkpoints);

        var (twoSteps, shortRun) = await AttackAsync("short", "steps: 2, save-at: [2]", withControl: false);
        using var __ = shortRun;
        var step2 = matrix.Checkpoints.Single(c => c.Variant == ModelVariant.Base && c.Step == 2).ModelDirectory;
        var reference = twoSteps.Get(ModelVariant.Base, attacked: true).ModelDirectory;
        Assert.Equal(File.ReadAllBytes(Path.Combine(reference, UnetWeights)), File.ReadAllBytes(Path.Combine(step2, UnetWeights)));
        // ... and the step-4 save is not the same model (the attack went on).
        var step4 = matrix.Checkpoints.Single(c => c.Variant == ModelVariant.Base && c.Step == 4).ModelDirectory;
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(reference, UnetWeights)), File.ReadAllBytes(Path.Combine(step4, UnetWeights)));
    }
}
