using System.Diagnostics;
using System.Globalization;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Training.Data;
using SafeDiffusion.Training.Objectives;
using SafeDiffusion.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Training.Engine;

/// <summary>
/// Fine-tunes a model's UNet with a <see cref="SafetyObjective"/>: each batch is encoded by the frozen VAE (a sample
/// of the posterior, times the scaling factor) and text encoder, noised at random timesteps, denoised by the UNet,
/// and its loss back-propagated (divided by the accumulation count); after the step's batches the gradients are
/// clipped and AdamW applies the scheduled learning rate. Noise and timesteps of the n-th batch come from CPU
/// generators seeded from (seed, n), so a run resumed from a saved state draws exactly what it would have drawn.
/// Every batch runs inside its own dispose scope: memory does not grow with the number of steps.
/// </summary>
public sealed class DiffusionTrainer : IDisposable
{
    private readonly DiffusionTrainingModel _model;
    private readonly SafetyObjective _objective;
    private readonly LearningRateSchedule _schedule;

    public DiffusionTrainer(DiffusionTrainingModel model, TrainerSettings settings, ObjectiveSettings objective)
    {
        settings.Validate();
        _model = model;
        Settings = settings;
        _objective = new SafetyObjective(objective, model.Schedule, model.PredictionType);
        _schedule = settings.LearningRateSchedule;
        Optimizer = new AdamW(model.TrainableParameters, settings.Adam);
    }

    public TrainerSettings Settings { get; }
    public ObjectiveSettings Objective => _objective.Settings;
    public DiffusionTrainingModel Model => _model;
    public AdamW Optimizer { get; }
    public TrainerState State { get; private set; } = TrainerState.Initial;

    /// <summary>The running class centres (created with the first batch; null for plain fine-tuning).</summary>
    public ClassCentres? Centres { get; private set; }

    public bool Finished => State.Step >= Settings.Steps;

    /// <summary>Continues from a saved state: the caller has already loaded the UNet weights; centres are taken over.</summary>
    public void Restore(TrainerState state, long optimizerSteps, IReadOnlyDictionary<string, Tensor> optimizerTensors, ClassCentres? centres)
    {
        Optimizer.LoadState(optimizerSteps, optimizerTensors);
        Centres?.Dispose();
        Centres = centres;
        State = state;
        _model.SyncComputeCopy();
    }

    /// <summary>Pulls the next step's batches (up to the accumulation count, not past an epoch's end) and trains on them.</summary>
    public async Task<StepMetrics> StepAsync(TrainingDataSource data, CancellationToken ct = default) =>
        Step(await NextBatchesAsync(data, ct).ConfigureAwait(false));

    /// <summary>The batches of the next step: up to the accumulation count, ending early at an epoch's last batch.</summary>
    public async Task<IReadOnlyList<TrainingBatch>> NextBatchesAsync(TrainingDataSource data, CancellationToken ct = default)
    {
        var batches = new List<TrainingBatch>(Settings.GradientAccumulation);
        while (batches.Count < Settings.GradientAccumulation)
        {
            var batch = await data.NextAsync(ct).ConfigureAwait(false);
            batches.Add(batch);
            if (batch.EndsEpoch) break;
        }
        return batches;
    }

    /// <summary>One optimizer step over <paramref name="batches"/>.</summary>
    public StepMetrics Step(IReadOnlyList<TrainingBatch> batches)
    {
        if (batches.Count == 0) throw new ArgumentException("a step needs at least one batch.", nameof(batches));
        if (Finished) throw new InvalidOperationException($"training already took its {Settings.Steps} steps.");
        var clock = Stopwatch.StartNew();
        double loss = 0, mse = 0, contrast = 0, own = 0, other = 0;
        int clean = 0, harmful = 0;
        foreach (var batch in batches)
        {
            var result = TrainOn(batch);
            loss += result.Loss;
            mse += result.Mse;
            contrast += result.Contrast;
            own += result.DistanceOwn;
            other += result.DistanceOther;
            clean += result.CleanRows;
            harmful += result.HarmfulRows;
        }
        int n = batches.Count;
        if (!double.IsFinite(loss))
            throw new PipelineException($"The training loss became {loss.ToString(CultureInfo.InvariantCulture)} at step {State.Step + 1}; lower the learning rate or lambda.");

        double gradNorm = GradientClipping.ClipByTotalNorm(_model.TrainableParameters.Select(p => p.Parameter), Settings.MaxGradNorm);
        double rate = _schedule.RateAt(State.Step);
        Optimizer.Step(rate);
        _model.Unet.zero_grad();
        _model.SyncComputeCopy();
        State = State with { Step = State.Step + 1 };
        return new StepMetrics(State.Step, State.Epoch, loss / n, mse / n, contrast / n, own / n, other / n, Centres?.Distance() ?? 0,
            rate, gradNorm, clean, harmful, clock.Elapsed.TotalSeconds, Centres?.Geometry());
    }

    private BatchNumbers TrainOn(TrainingBatch batch)
    {
        if (batch.Position.Epoch != State.Epoch)
        {
            // A new epoch: the public code sets the counts back to 1 and keeps the centres.
            Centres?.ResetCounts();
            State = State with { Epoch = batch.Position.Epoch };
        }
        var micro = State.MicroBatches.ToString(CultureInfo.InvariantCulture);
        using var scope = NewDisposeScope();
        var device = _model.Device;
        int b = batch.Size, r = batch.Resolution;
        using var noiseGenerator = new Generator((ulong)SeedDerivation.Derive(Settings.Seed, "noise", micro));
        using var timestepGenerator = new Generator((ulong)SeedDerivation.Derive(Settings.Seed, "timesteps", micro));

        Tensor latents, conditioning;
        using (torch.no_grad())
        {
            var pixels = tensor(batch.Pixels, [b, 3, r, r]).to(_model.Vae.DType, device);
            using var posterior = _model.Vae.Encode(pixels);
            latents = (posterior.Sample(noiseGenerator) * _model.Vae.ScalingFactor).to(ScalarType.Float32);
            conditioning = _model.TextEncoder.Encode(tensor(batch.InputIds, [b, batch.TokenLength]).to(device));
        }
        if (_objective.UsesCentres && Centres is null)
            Centres = ClassCentres.Random(latents.shape[1..], SeedDerivation.Derive(Settings.Seed, "centres"), device);

        var noise = randn(latents.shape, ScalarType.Float32, CPU, generator: noiseGenerator).to(device);
        var timesteps = randint(0, _model.Schedule.NumTrainTimesteps, [b], ScalarType.Int64, CPU, generator: timestepGenerator).to(device);
        var noised = _objective.AddNoise(latents, noise, timesteps, batch.Harmful);
        var unet = _model.ComputeUnet;
        var prediction = unet.Forward(noised.Noisy.to(unet.DType), timesteps, conditioning.to(unet.DType));
        var result = _objective.Compute(prediction, noised, timesteps, batch.Harmful, Centres);
        (result.Loss / Settings.GradientAccumulation).backward();
        _model.AccumulateComputeGradients();

        State = State with { Next = batch.Position.After(batch.EndsEpoch), MicroBatches = State.MicroBatches + 1 };
        return new BatchNumbers(result.Loss.item<float>(), result.Mse, result.Contrast, result.DistanceOwn, result.DistanceOther,
            result.CleanRows, result.HarmfulRows);
    }

    public void Dispose()
    {
        Optimizer.Dispose();
        Centres?.Dispose();
    }

    private readonly record struct BatchNumbers(double Loss, double Mse, double Contrast, double DistanceOwn, double DistanceOther, int CleanRows, int HarmfulRows);
}
