using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SafeDiffusion.Core.Devices;
using SafeDiffusion.Core.IO;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Diffusion.Devices;
using SafeDiffusion.Diffusion.ModelFolder;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Training.Checkpoints;
using SafeDiffusion.Training.Data;
using SafeDiffusion.Training.Engine;
using SafeDiffusion.Training.Metrics;
using SafeDiffusion.Training.Objectives;
using static TorchSharp.torch;

namespace SafeDiffusion.Training.Stages;

/// <summary>
/// Runs one fine-tuning job for a stage on a leased device: loads the base model, resumes from a saved state of the
/// same job if there is one, trains step by step (each step under a compute slot of the lease), logs every step to
/// metrics.csv and the progress display, saves resumable state every few steps, writes a model folder at each step the
/// spec asks to save (<see cref="FineTuneJobSpec.SaveAt"/>), then writes the model folder of the last step and the loss
/// plot and records them as artifacts.
/// </summary>
internal static class FineTuneJob
{
    public const string ModelFolder = "model";
    public const string StateFolder = "state";
    public const string MetricsFile = "metrics.csv";
    public const string PlotFile = "loss.png";
    public const string SavesFolder = "saves";

    /// <summary>Where a job in <paramref name="jobDirectory"/> saves its model after <paramref name="step"/> steps (not the last step's: that is <see cref="ModelFolder"/>).</summary>
    public static string SaveFolder(string jobDirectory, int step) =>
        Path.Combine(jobDirectory, SavesFolder, string.Create(CultureInfo.InvariantCulture, $"step-{step}"));

    /// <summary>How many times a job stopped by TorchSharp's native-scalar race resumes from its saved state by itself.</summary>
    public const int NativeRaceRetries = 3;

    /// <summary>
    /// Runs the job; when TorchSharp's native-scalar race stops it (docs/known-issues.md), resumes it from its last saved
    /// state up to <see cref="NativeRaceRetries"/> times, so the other jobs of the run keep going.
    /// </summary>
    public static Task<FineTuneJobResult> RunAsync(StageContext context, DeviceLease lease, FineTuneJobSpec spec, CancellationToken ct) =>
        new TransientFailureRetry(LibTorchErrors.IsScalarLifetimeRace, NativeRaceRetries).RunAsync(
            _ => RunOnceAsync(context, lease, spec, ct),
            (retry, _) => context.Progress.Warn($"{context.StageName}: {spec.Name} stopped on TorchSharp's native-scalar race, not on anything in " +
                $"your input (docs/known-issues.md); resuming it from its last saved state (retry {retry} of {NativeRaceRetries})."));

    private static async Task<FineTuneJobResult> RunOnceAsync(StageContext context, DeviceLease lease, FineTuneJobSpec spec, CancellationToken ct)
    {
        System.IO.Directory.CreateDirectory(spec.Directory);
        var device = TorchDevice(lease.Device);
        var fingerprint = Fingerprint(spec);
        var store = new TrainingStateStore(Path.Combine(spec.Directory, StateFolder));
        using var model = await Task.Run(() => DiffusionTrainingModel.Load(spec.BaseModel, device, spec.Config.Precision, spec.Variant, spec.Config.GradientCheckpointing), ct).ConfigureAwait(false);
        using var trainer = new DiffusionTrainer(model, spec.Trainer, spec.Objective);
        int resumedAt = 0;
        if (store.TryRestore(trainer, fingerprint))
        {
            resumedAt = trainer.State.Step;
            context.Progress.Info($"{context.StageName}: {spec.Name} resumes at step {resumedAt} of {spec.Trainer.Steps} from its saved state.");
        }
        else
        {
            store.Clear();
            // Saved models of an earlier job with other settings must not pass for this job's.
            var saves = Path.Combine(spec.Directory, SavesFolder);
            if (System.IO.Directory.Exists(saves)) DiffusersModelWriter.TryDelete(saves);
        }
        var saveAt = spec.SaveAt.Where(s => s > 0 && s < spec.Trainer.Steps).ToHashSet();
        var saved = new List<(int Step, string Directory)>();

        var metricsPath = Path.Combine(spec.Directory, MetricsFile);
        StepMetrics? last = null;
        var clock = Stopwatch.StartNew();
        using (var log = new TrainingMetricsLog(metricsPath, trainer.State.Step))
        using (var task = context.Progress.Start($"{context.StageName} {spec.Name}", spec.Trainer.Steps, "steps"))
        {
            task.Increment(trainer.State.Step);
            await using var data = TrainingDataSource.Start(spec.Rows, spec.Data, model.Tokenizer, trainer.State.Next, ct);
            while (!trainer.Finished)
            {
                var batches = await trainer.NextBatchesAsync(data, ct).ConfigureAwait(false);
                using (await lease.AcquireComputeAsync(ct).ConfigureAwait(false))
                {
                    // This pool thread may be another than the last step's: each step sets its share of the cores.
                    TorchDevices.KeepToComputeShare(lease.Device);
                    last = trainer.Step(batches);
                }
                log.Append(last);
                task.Increment();
                task.SetStatus(Status(last, trainer.Centres is not null));
                // Written before the resumable state of the same step, so a job resumed past a save finds it on disk.
                if (saveAt.Contains(last.Step)) saved.Add((last.Step, WriteModel(context, spec, model, SaveFolder(spec.Directory, last.Step))));
                if (spec.Config.CheckpointEvery > 0 && last.Step % spec.Config.CheckpointEvery == 0 && !trainer.Finished)
                    store.Save(trainer, fingerprint);
                ct.ThrowIfCancellationRequested();
            }
            TrainingLossPlot.Write(Path.Combine(spec.Directory, PlotFile), $"{context.StageName}: {spec.Name}", log.Steps, trainer.Centres is not null);
        }
        double trainedSteps = trainer.State.Step - resumedAt;
        double stepsPerSecond = trainedSteps > 0 ? trainedSteps / clock.Elapsed.TotalSeconds : 0;

        var modelDirectory = WriteModel(context, spec, model, Path.Combine(spec.Directory, ModelFolder));
        // The model is whole: the resumable state has done its job and would only double the disk used.
        store.Clear();

        // A resumed job wrote its earlier saves in the execution that took those steps.
        foreach (var step in saveAt.Where(s => saved.All(x => x.Step != s)))
        {
            var folder = SaveFolder(spec.Directory, step);
            if (!System.IO.Directory.Exists(folder))
                throw new InvalidOperationException($"{spec.Name}: the model saved at step {step} is missing from {folder}; rerun the stage with --force.");
            saved.Add((step, folder));
            AddModelArtifacts(context, folder);
        }
        saved.Add((trainer.State.Step, modelDirectory));
        context.AddArtifact(metricsPath, "metrics");
        context.AddArtifact(Path.Combine(spec.Directory, PlotFile), "plot");
        return new FineTuneJobResult(modelDirectory, last, stepsPerSecond, resumedAt) { Saves = saved.OrderBy(s => s.Step).ToList() };
    }

    /// <summary>Writes the UNet as it is now as a diffusers folder (the rest of the base model linked) and records it.</summary>
    private static string WriteModel(StageContext context, FineTuneJobSpec spec, DiffusionTrainingModel model, string directory)
    {
        DiffusersModelWriter.Write(directory, spec.BaseModel,
            new Dictionary<string, nn.Module> { [StableDiffusionComponents.Unet] = model.Unet }, spec.Config.FrozenComponents);
        AddModelArtifacts(context, directory);
        return directory;
    }

    private static void AddModelArtifacts(StageContext context, string directory)
    {
        context.AddArtifact(Path.Combine(directory, StableDiffusionComponents.Unet, "diffusion_pytorch_model.safetensors"), "model-weights");
        context.AddArtifact(Path.Combine(directory, StableDiffusionComponents.Unet, "config.json"), "model-config");
        context.AddArtifact(Path.Combine(directory, "model_index.json"), "model-index");
    }

    /// <summary>A job's final numbers as stage metrics, under <paramref name="prefix"/>.</summary>
    public static void RecordMetrics(StageContext context, string prefix, FineTuneJobResult result)
    {
        if (result.Last is { } m)
        {
            context.SetMetric(prefix + "final-l-mse", m.Mse);
            context.SetMetric(prefix + "final-loss", m.Loss);
            if (m.CentreDistance != 0) context.SetMetric(prefix + "final-centre-distance", m.CentreDistance);
        }
        context.SetMetric(prefix + "steps-per-second", result.StepsPerSecond);
        if (result.ResumedAt > 0) context.SetMetric(prefix + "resumed-at-step", result.ResumedAt);
    }

    /// <summary>The memory to lease for training the model at <paramref name="resolution"/>.</summary>
    public static Core.Configuration.ByteSize MemoryFor(StageContext context, FineTuneConfig config, string baseModel, int resolution)
    {
        if (config.Memory is { } given) return given;
        // The lease is asked for before a GPU is chosen, so the run is sized as mixed precision only when every GPU
        // would train in it: one without bfloat16 trains in float32, which needs the larger figure.
        var gpus = context.Devices.Devices.Where(d => d.Kind == DeviceKind.Cuda).ToList();
        bool mixed = gpus.Count == 0
            ? TrainingPrecisionChoice.UsesBFloat16Mixed(config.Precision, DeviceKind.Cpu, null)
            : gpus.All(g => TrainingPrecisionChoice.UsesBFloat16Mixed(config.Precision, DeviceKind.Cuda, TorchCudaProbe.ComputeCapability(g.Index)));
        return ModelSizing.TrainingMemory(baseModel, resolution, config.BatchSize, mixed, context.Models.Get(config.Model).Variant, config.GradientCheckpointing);
    }

    public static Device TorchDevice(DeviceSpec spec) => spec.Kind == DeviceKind.Cuda ? new Device(TorchSharp.DeviceType.CUDA, spec.Index) : CPU;

    private static string Status(StepMetrics m, bool centres)
    {
        var inv = CultureInfo.InvariantCulture;
        return centres
            ? string.Create(inv, $"loss {m.Loss:G4}  L_mse {m.Mse:G4}  L_c {m.Contrast:G4}  centres {m.CentreDistance:G4}")
            : string.Create(inv, $"loss {m.Loss:G4}  L_mse {m.Mse:G4}");
    }

    /// <summary>
    /// Equal for the same job on the same model, data and settings: only such a saved state is resumed, and only such
    /// a job is shared between stages.
    /// </summary>
    public static string Fingerprint(FineTuneJobSpec spec)
    {
        var weights = ComponentWeights.Locate(Path.Combine(spec.BaseModel, StableDiffusionComponents.Unet), spec.Variant);
        var identity = string.Join(";", weights.Select(w => $"{Path.GetFullPath(w)}:{new FileInfo(w).Length}:{File.GetLastWriteTimeUtc(w).Ticks}"));
        var data = spec.Data with { Prefetch = 0, Workers = 0 };
        return FileHash.Sha256(spec.Name, Path.GetFullPath(spec.BaseModel), identity, spec.Rows.Description, Path.GetFullPath(spec.Rows.Location),
            JsonSerializer.Serialize(spec.Trainer), JsonSerializer.Serialize(spec.Objective), JsonSerializer.Serialize(data),
            string.Join(",", spec.SaveAt.Order()));
    }
}
