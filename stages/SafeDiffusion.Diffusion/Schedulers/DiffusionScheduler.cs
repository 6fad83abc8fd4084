using SafeDiffusion.Core.Errors;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Schedulers;

/// <summary>
/// What all schedulers share: reading the common config keys with diffusers' per-class defaults, the noise
/// schedule, the training-side functions, and disposal of run-state tensors.
/// </summary>
public abstract class DiffusionScheduler : IScheduler
{
    public static readonly IReadOnlyList<string> Spacings = ["leading", "trailing", "linspace"];

    private readonly List<Tensor> _held = [];
    private IReadOnlyList<double> _timesteps = [];

    protected DiffusionScheduler(string name, SchedulerConfig config, string defaultSpacing, bool allowSigmoid = false, bool rescaleZeroTerminalSnr = false)
    {
        Name = name;
        Config = config;
        var prediction = config.PredictionType ?? "epsilon";
        if (!PredictionTypes.TryParse(prediction, out var type))
            throw Invalid("prediction_type", $"is '{prediction}'; use epsilon, v_prediction or sample.");
        PredictionType = type;
        TimestepSpacing = config.TimestepSpacing ?? defaultSpacing;
        if (!Spacings.Contains(TimestepSpacing))
            throw Invalid("timestep_spacing", $"is '{TimestepSpacing}'; use {string.Join(", ", Spacings)}.");
        StepsOffset = config.StepsOffset ?? 0;
        Schedule = new NoiseSchedule(config.NumTrainTimesteps ?? 1000, config.BetaStart ?? 0.0001, config.BetaEnd ?? 0.02,
            config.BetaSchedule ?? "linear", config.TrainedBetas, rescaleZeroTerminalSnr, config.Source, allowSigmoid);
        if (config.Thresholding == true)
            throw Invalid("thresholding", "is true; dynamic thresholding (pixel-space models such as DeepFloyd IF) is not supported.");
    }

    public string Name { get; }
    public SchedulerConfig Config { get; }
    public PredictionType PredictionType { get; }
    public string TimestepSpacing { get; }
    public int StepsOffset { get; }
    public NoiseSchedule Schedule { get; }
    public int NumTrainTimesteps => Schedule.NumTrainTimesteps;
    public Tensor AlphasCumprod => Schedule.AlphasCumprod;

    /// <summary>alpha-bar_t as double (from the float32 table).</summary>
    protected double AlphaBar(int t) => Schedule.AlphasCumprodValues[t];

    public IReadOnlyList<double> Timesteps
    {
        get => _timesteps;
        protected set => _timesteps = value;
    }

    public virtual IReadOnlyList<double>? Sigmas => null;
    public virtual double InitNoiseSigma => 1.0;

    /// <summary>Inference steps of the current run (0 before <see cref="SetTimesteps"/>).</summary>
    public int NumInferenceSteps { get; protected set; }

    public void SetTimesteps(int numInferenceSteps)
    {
        if (numInferenceSteps < 1 || numInferenceSteps > NumTrainTimesteps)
            throw new UsageException($"The number of inference steps must be between 1 and {NumTrainTimesteps}, got {numInferenceSteps}.");
        ClearState();
        NumInferenceSteps = numInferenceSteps;
        ComputeTimesteps(numInferenceSteps);
    }

    protected abstract void ComputeTimesteps(int numInferenceSteps);

    public virtual Tensor ScaleModelInput(Tensor sample, double timestep) => sample.alias();

    public Tensor Step(Tensor modelOutput, double timestep, Tensor sample, NoiseGenerator? generator = null)
    {
        if (NumInferenceSteps == 0)
            throw new InvalidOperationException($"{GetType().Name}: call SetTimesteps before Step.");
        using var scope = NewDisposeScope();
        return StepCore(modelOutput, timestep, sample, generator).MoveToOuterDisposeScope();
    }

    /// <summary>One step inside a dispose scope the caller's result is moved out of.</summary>
    protected abstract Tensor StepCore(Tensor modelOutput, double timestep, Tensor sample, NoiseGenerator? generator);

    public Tensor AddNoise(Tensor originalSamples, Tensor noise, Tensor timesteps) => Schedule.AddNoise(originalSamples, noise, timesteps);
    public Tensor GetVelocity(Tensor sample, Tensor noise, Tensor timesteps) => Schedule.GetVelocity(sample, noise, timesteps);

    /// <summary>Keeps a tensor alive across steps, outside every dispose scope, until the run state is cleared.</summary>
    protected Tensor Hold(Tensor t)
    {
        var kept = t.detach().DetachFromDisposeScope();
        _held.Add(kept);
        return kept;
    }

    /// <summary>Releases a tensor kept with <see cref="Hold"/>.</summary>
    protected void Release(Tensor? t)
    {
        if (t is null) return;
        if (_held.Remove(t)) t.Dispose();
    }

    /// <summary>Forgets the run state (multistep history, step index) and frees its tensors.</summary>
    protected virtual void ClearState()
    {
        foreach (var t in _held) t.Dispose();
        _held.Clear();
    }

    protected InputDataException Invalid(string field, string problem) => new(Config.Source, problem, field);

    protected static int TimestepIndex(double timestep) => (int)Math.Round(timestep);

    public void Dispose()
    {
        ClearState();
        Schedule.Dispose();
        GC.SuppressFinalize(this);
    }
}
