using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Devices;
using SafeDiffusion.Core.Progress;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Datasets.Stages;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Pipelines;
using SafeDiffusion.Images.Codecs;
using SafeDiffusion.Testing;
using SafeDiffusion.Training.Engine;
using SafeDiffusion.Training.Metrics;
using SafeDiffusion.Training.Stages;
using SafeDiffusion.Training.Tests.Support;
using static TorchSharp.torch;

namespace SafeDiffusion.Training.Tests.Stages;

public sealed class TrainingStagesTests : IDisposable
{
    private readonly TempDirectory _dir = new("training-stages");

    public TrainingStagesTests() => LibTorchRuntime.EnsureLoadable();

    public void Dispose() => _dir.Dispose();

    /// <summary>A new run folder with its manifest, made by the store as `pipeline run` makes it.</summary>
    private Run OpenRun(ConfigDocument document, PipelineConfig config) => new RunStore(_dir.File("runs")).Create(document, config);

    private sealed class RecordingProgress : IProgressSink
    {
        public List<string> Statuses { get; } = [];
        public IProgressTask Start(string name, double total, string unit = "items") => new Task(this);
        public void Info(string message) { }
        public void Warn(string message) { }

        private sealed class Task(RecordingProgress owner) : IProgressTask
        {
            public void Increment(double amount = 1) { }
            public void SetTotal(double total) { }
            public void SetStatus(string status) { lock (owner.Statuses) owner.Statuses.Add(status); }
            public void Dispose() { }
        }
    }

    [Trait("Category", "Slow")]
    [Fact]
    public async Task Safety_training_then_the_attack_give_the_four_models_of_the_matrix_with_metrics_plots_and_a_replayable_result()
    {
        var yaml = $$"""
            name: training-test
            seed: 3
            devices: [{ id: cpu, memory: 4GiB }]
            models:
              base: { path: "{{TinySd.Sd1}}" }
            stages:
              safety-train:
                method: lt
                steps: 3
                resolution: 32
                checkpointEvery: 1
                lambda: 0.001
                contrastGradient: true
              malicious-finetune:
                steps: 2
                resolution: 32
                save-at: []
            """;
        var document = ConfigDocument.Parse(yaml, "test.yaml");
        var binder = new ConfigBinder(document);
        var config = binder.Bind<PipelineConfig>(document.Root, "");
        binder.ThrowIfAny();
        IStage[] stages =
        [
            new FakeDatasetStage(rows: 4),
            new SafetyTrainStage(SafetyTrainStage.StageName, DatasetStage.DefaultName, ModelVariant.Safe),
            new MaliciousFinetuneStage(MaliciousFinetuneStage.StageName, SafetyTrainStage.StageName, controlTrainStage: null, DatasetStage.DefaultName),
        ];
        var graph = new StageGraph("training", stages);
        var configs = StageConfigs.Bind(stages, config, document);
        using var run = OpenRun(document, config);
        var progress = new RecordingProgress();
        var env = new PipelineEnvironment(run, config, document, DeviceScheduler.FromConfig(config), progress,
            new ModelCatalog(config.Models, [], _dir.Path), ShardSpec.All);

        var result = await new GraphRunner().RunAsync(graph, configs, env, new RunSelection(stages.Select(s => s.Name).ToHashSet()), CancellationToken.None);

        var matrix = Assert.IsType<ModelMatrix>(Assert.Single(result.Outputs));
        Assert.Equal(4, matrix.Models.Count);
        Assert.Equal(Path.GetFullPath(TinySd.Sd1), Path.GetFullPath(matrix.Get(ModelVariant.Base, false).ModelDirectory));
        Assert.Equal("safe (LT)", matrix.Get(ModelVariant.Safe, false).Label);
        foreach (var model in matrix.Models)
        {
            using var loaded = StableDiffusionModels.Load(model.ModelDirectory, ScalarType.Float32, CPU);
            Assert.NotNull(loaded.Unet);
        }
        var safeDir = Path.Combine(run.Directory, SafetyTrainStage.StageName);
        var steps = TrainingMetricsLog.Read(Path.Combine(safeDir, "metrics.csv"));
        Assert.Equal([1, 2, 3], steps.Select(s => s.Step));
        Assert.All(steps, s => Assert.True(s.Contrast != 0 && s.CentreDistance > 0 && s.LearningRate == 1e-5));
        // LT adds +s to every harmful coordinate: the logged geometry shows the harmful centre and the gap along all-ones.
        Assert.All(steps, s => Assert.True(s.Centres is { HarmfulOnes: > 0, GapOnesShare: > 0.5 }, $"{s.Centres}"));
        Assert.All(TrainingMetricsLog.Read(Path.Combine(run.Directory, MaliciousFinetuneStage.StageName, "safe", "metrics.csv")),
            s => Assert.Null(s.Centres));
        Assert.Equal(2, TrainingMetricsLog.Read(Path.Combine(run.Directory, MaliciousFinetuneStage.StageName, "safe", "metrics.csv")).Count);
        Assert.True(PngCodec.Decode(File.ReadAllBytes(Path.Combine(safeDir, "loss.png")), "loss.png").Width > 100);
        Assert.False(Directory.Exists(Path.Combine(safeDir, "state", "step-000003")), "the state should be cleared once the model is written");
        Assert.Contains(progress.Statuses, s => s.Contains("L_mse", StringComparison.Ordinal) && s.Contains("L_c", StringComparison.Ordinal));

        var record = run.Stage(SafetyTrainStage.StageName);
        Assert.Equal(StageStatus.Completed, record.Status);
        Assert.Contains(record.Artifacts, a => a.Path == "safety-train/metrics.csv");
        Assert.Contains(record.Artifacts, a => a.Path == "safety-train/model/unet/diffusion_pytorch_model.safetensors");
        Assert.True(record.Metrics["steps-per-second"] > 0);

        var replayed = new List<ModelMatrix>();
        var context = new StageContext(MaliciousFinetuneStage.StageName, env, CancellationToken.None);
        await foreach (var m in new MaliciousFinetuneStage(MaliciousFinetuneStage.StageName, SafetyTrainStage.StageName, controlTrainStage: null, DatasetStage.DefaultName).ReplayAsync(context, configs.Get<MaliciousFinetuneConfig>(MaliciousFinetuneStage.StageName), CancellationToken.None))
            replayed.Add(m);
        Assert.Equal(matrix.Models, Assert.Single(replayed).Models);
    }

    [Fact]
    public void The_stage_configs_default_to_the_papers_settings()
    {
        var safety = new SafetyTrainConfig();
        Assert.Equal((200, 1e-5, 1, 5e-5, 1.0, 0.0, 100.0, 1.0, true), (safety.Steps, safety.LearningRate, safety.BatchSize, safety.Lambda,
            safety.LambdaC, safety.Margin, safety.Shift, safety.Offset, safety.ContrastGradient));
        Assert.Equal(SafeDiffusion.Training.Objectives.SafetyMethod.Lt, safety.Method);
        var attack = new MaliciousFinetuneConfig();
        Assert.Equal((20, 1e-5, 1), (attack.Steps, attack.LearningRate, attack.BatchSize));
        Assert.Equal("base", attack.Model);
        Assert.Equal(TrainingPrecision.Auto, attack.Precision);
        // Both fine-tunes train the unconditional prediction that guidance reads, as pretraining did.
        Assert.Equal((0.1, 0.1), (safety.CaptionDropout, attack.CaptionDropout));
    }

    [Fact]
    public void A_metrics_log_written_before_the_centre_columns_still_reads()
    {
        var path = _dir.File("old-metrics.csv");
        File.WriteAllText(path, "step,epoch,loss,l_mse,l_c,dist_own,dist_other,centre_distance,lr,grad_norm,clean_rows,harmful_rows,seconds\n" +
                                "1,0,0.5,0.4,2,1,3,4,1e-05,0.7,5,3,0.1000\n");
        var step = Assert.Single(TrainingMetricsLog.Read(path));
        Assert.Equal((1, 0.4, 4.0), (step.Step, step.Mse, step.CentreDistance));
        Assert.Null(step.Centres);
    }
}
