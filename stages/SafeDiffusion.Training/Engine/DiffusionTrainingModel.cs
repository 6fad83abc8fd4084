using SafeDiffusion.Core.Devices;
using SafeDiffusion.Diffusion.Devices;
using SafeDiffusion.Diffusion.ModelFolder;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Schedulers;
using SafeDiffusion.Diffusion.TextEncoders;
using SafeDiffusion.Diffusion.Tokenization;
using SafeDiffusion.Diffusion.Unet;
using SafeDiffusion.Diffusion.Vae;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Training.Engine;

/// <summary>
/// A diffusers model folder loaded for fine-tuning the UNet: the UNet in float32 and in train mode (the master
/// weights the optimizer updates), the VAE and text encoder frozen (eval mode, no gradients), the tokenizer, and the
/// training noise schedule (DDPM, from the folder's scheduler config, with its prediction type). In bf16 mixed
/// precision a bfloat16 copy of the UNet does the forward and backward passes; its gradients are added into the
/// master's in float32 and the master's weights are copied back into it after every optimizer step.
/// </summary>
public sealed class DiffusionTrainingModel : IDisposable
{
    private readonly List<(Parameter Master, Parameter Compute)> _pairs = [];
    private readonly ClipTokenizer? _tokenizer;

    private DiffusionTrainingModel(string directory, Device device, bool mixed, ClipTokenizer? tokenizer, CLIPTextModel textEncoder,
        AutoencoderKL vae, UNet2DConditionModel unet, UNet2DConditionModel? computeUnet, DdpmScheduler scheduler)
    {
        Directory = directory;
        Device = device;
        MixedPrecision = mixed;
        _tokenizer = tokenizer;
        TextEncoder = textEncoder;
        Vae = vae;
        Unet = unet;
        ComputeUnet = computeUnet ?? unet;
        Scheduler = scheduler;
        TrainableParameters = unet.named_parameters().ToList();
        if (computeUnet is not null)
        {
            var compute = computeUnet.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            foreach (var (name, master) in TrainableParameters) _pairs.Add((master, compute[name]));
        }
    }

    public string Directory { get; }
    public Device Device { get; }
    public bool MixedPrecision { get; }
    /// <exception cref="InvalidOperationException">The model was assembled without one (<see cref="Assemble"/>: a benchmark feeding token ids).</exception>
    public ClipTokenizer Tokenizer => _tokenizer ?? throw new InvalidOperationException("This training model was assembled without a tokenizer.");
    public CLIPTextModel TextEncoder { get; }
    public AutoencoderKL Vae { get; }

    /// <summary>The float32 master UNet: what the optimizer updates and what a checkpoint saves.</summary>
    public UNet2DConditionModel Unet { get; }

    /// <summary>The UNet that runs forward and backward: <see cref="Unet"/> itself, or its bfloat16 copy.</summary>
    public UNet2DConditionModel ComputeUnet { get; }

    public DdpmScheduler Scheduler { get; }
    public NoiseSchedule Schedule => Scheduler.Schedule;
    public PredictionType PredictionType => Scheduler.PredictionType;

    /// <summary>The master UNet's parameters by state-dict name.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> TrainableParameters { get; }

    public long UnetParameterCount => TrainableParameters.Sum(p => p.Parameter.NumberOfElements);

    /// <summary>The image side the UNet was trained at: its sample size times the VAE's downscale factor.</summary>
    public int NativeResolution => (Unet.Config.SampleSize ?? 64) * Vae.Config.DownscaleFactor;

    /// <param name="precision">Auto: bf16 mixed on a CUDA GPU with bfloat16, float32 elsewhere (<see cref="TrainingPrecisionChoice"/>).</param>
    /// <param name="variant">Weight file variant to read (e.g. fp16); the master is float32 whatever the files hold.</param>
    /// <param name="gradientCheckpointing">Recompute the UNet's blocks in the backward pass (<see cref="UNet2DConditionModel.GradientCheckpointing"/>).</param>
    public static DiffusionTrainingModel Load(string modelDirectory, Device device, TrainingPrecision precision = TrainingPrecision.Auto, string? variant = null,
        bool gradientCheckpointing = false)
    {
        LibTorchRuntime.EnsureLoadable();
        bool cuda = device.type == DeviceType.CUDA;
        bool mixed = TrainingPrecisionChoice.UsesBFloat16Mixed(precision, cuda ? DeviceKind.Cuda : DeviceKind.Cpu,
            cuda ? TorchCudaProbe.ComputeCapability(device.index) : null);
        var frozenType = mixed ? ScalarType.BFloat16 : ScalarType.Float32;
        var disposables = new List<IDisposable>();
        DdpmScheduler scheduler;
        ClipTokenizer tokenizer;
        CLIPTextModel textEncoder;
        AutoencoderKL vae;
        UNet2DConditionModel unet;
        try
        {
            var schedulerConfig = SchedulerConfig.Read(Path.Combine(modelDirectory, StableDiffusionComponents.Scheduler, "scheduler_config.json"));
            scheduler = Keep(new DdpmScheduler(schedulerConfig), disposables);
            tokenizer = ClipTokenizer.FromFolder(Path.Combine(modelDirectory, StableDiffusionComponents.Tokenizer));
            textEncoder = Keep(CLIPTextModel.FromFolder(Path.Combine(modelDirectory, StableDiffusionComponents.TextEncoder), frozenType, device, variant), disposables);
            vae = Keep(AutoencoderKL.FromFolder(Path.Combine(modelDirectory, StableDiffusionComponents.Vae), frozenType, device, variant), disposables);
            unet = UNet2DConditionModel.FromFolder(Path.Combine(modelDirectory, StableDiffusionComponents.Unet), ScalarType.Float32, device, variant);
        }
        catch
        {
            foreach (var d in disposables) d.Dispose();
            throw;
        }
        return Assemble(modelDirectory, device, mixed, tokenizer, textEncoder, vae, unet, scheduler, gradientCheckpointing);
    }

    /// <summary>
    /// A training model from components already built: the text encoder and VAE (in bfloat16 when
    /// <paramref name="mixed"/>) are frozen here, the float32 <paramref name="unet"/> becomes the master and is put in
    /// train mode, and the bfloat16 compute copy is made when mixed. Takes ownership of the modules and the scheduler,
    /// also when it throws. Without a tokenizer the batches must come with their token ids.
    /// </summary>
    internal static DiffusionTrainingModel Assemble(string directory, Device device, bool mixed, ClipTokenizer? tokenizer, CLIPTextModel textEncoder,
        AutoencoderKL vae, UNet2DConditionModel unet, DdpmScheduler scheduler, bool gradientCheckpointing)
    {
        UNet2DConditionModel? compute = null;
        try
        {
            Freeze(textEncoder);
            Freeze(vae);
            unet.train();
            if (mixed)
            {
                compute = new UNet2DConditionModel(unet.Config, device, ScalarType.BFloat16);
                compute.train();
            }
            (compute ?? unet).GradientCheckpointing = gradientCheckpointing;
            var model = new DiffusionTrainingModel(directory, device, mixed, tokenizer, textEncoder, vae, unet, compute, scheduler);
            model.SyncComputeCopy();
            return model;
        }
        catch
        {
            compute?.Dispose();
            unet.Dispose();
            vae.Dispose();
            textEncoder.Dispose();
            scheduler.Dispose();
            throw;
        }
    }

    /// <summary>Copies the master weights into the bfloat16 compute copy (nothing to do in float32).</summary>
    public void SyncComputeCopy()
    {
        if (_pairs.Count == 0) return;
        using var noGrad = torch.no_grad();
        foreach (var (master, compute) in _pairs) compute.copy_(master);
    }

    /// <summary>Adds the compute copy's gradients into the master's, in float32, and clears them (nothing to do in float32).</summary>
    public void AccumulateComputeGradients()
    {
        if (_pairs.Count == 0) return;
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        foreach (var (master, compute) in _pairs)
        {
            var grad = compute.grad;
            if (grad is null) continue;
            var existing = master.grad;
            if (existing is null) master.grad = grad.to(ScalarType.Float32);
            else existing.add_(grad.to(ScalarType.Float32));
        }
        ComputeUnet.zero_grad();
    }

    private static void Freeze(nn.Module module)
    {
        module.eval();
        foreach (var p in module.parameters()) p.requires_grad = false;
    }

    private static T Keep<T>(T item, List<IDisposable> list) where T : IDisposable
    {
        list.Add(item);
        return item;
    }

    public void Dispose()
    {
        if (!ReferenceEquals(ComputeUnet, Unet)) ComputeUnet.Dispose();
        Unet.Dispose();
        Vae.Dispose();
        TextEncoder.Dispose();
        Scheduler.Dispose();
    }
}
