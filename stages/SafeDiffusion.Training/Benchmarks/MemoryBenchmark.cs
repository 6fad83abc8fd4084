using System.Diagnostics;
using SafeDiffusion.Core.Diagnostics;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Devices;
using SafeDiffusion.Diffusion.ModelFolder;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Pipelines;
using SafeDiffusion.Diffusion.Schedulers;
using SafeDiffusion.Diffusion.TextEncoders;
using SafeDiffusion.Diffusion.Unet;
using SafeDiffusion.Diffusion.Vae;
using SafeDiffusion.Training.Data;
using SafeDiffusion.Training.Engine;
using SafeDiffusion.Training.Objectives;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Training.Benchmarks;

/// <summary>
/// Peak memory of txt2img and of fine-tuning steps (<c>pipeline bench memory</c>), on real weights or, for a
/// component folder with only its <c>config.json</c>, on random weights of the configured size (norms reset to
/// PyTorch's initial values, <see cref="UninitialisedNorms"/>, so the steps stay finite): memory depends on
/// the shapes, not the values, so the released configs alone measure Stable Diffusion at full size. The txt2img case
/// runs the whole batch on the calling thread (as on CUDA; the CPU stage's split of a batch between threads is not
/// applied), so its figure does not depend on the machine's core count. Run one case per process for a clean peak.
/// </summary>
public static class MemoryBenchmark
{
    public static async Task<MemoryBenchmarkResult> RunAsync(MemoryBenchmarkCase benchCase, CancellationToken ct = default)
    {
        benchCase.Validate();
        LibTorchRuntime.EnsureLoadable();
        RequireConfigs(benchCase.ModelDirectory);
        var clock = Stopwatch.StartNew();
        await using var watch = new PeakWatch();
        var run = benchCase.Target == MemoryBenchmarkTarget.Txt2Img ? await RunTxt2ImgAsync(benchCase, watch, ct) : RunTraining(benchCase);
        if (benchCase.Device.type == DeviceType.CUDA) cuda.synchronize();
        long? cudaInUse = benchCase.Device.type == DeviceType.CUDA ? CudaDeviceMemory.InUseBytes() : null;
        bool random = Components.Any(c => !HasWeights(Path.Combine(benchCase.ModelDirectory, c)));
        return new MemoryBenchmarkResult(benchCase, watch.Peak, cudaInUse, run.UnetParameters, random, clock.Elapsed.TotalSeconds)
        {
            ModelsResidentBytes = run.ModelsResident,
            DecodePeakBytes = run.DecodePeak,
        };
    }

    private static readonly string[] Components =
        [StableDiffusionComponents.Unet, StableDiffusionComponents.Vae, StableDiffusionComponents.TextEncoder];

    private readonly record struct CaseRun(long UnetParameters, long ModelsResident, long? DecodePeak);

    /// <summary>
    /// Loads the three models, decodes one image's latents alone (the VAE's peak), then restarts the peak and samples the
    /// whole batch: the case's peak is then the UNet's over the doubled batch, or the VAE's again where that is larger.
    /// </summary>
    private static async Task<CaseRun> RunTxt2ImgAsync(MemoryBenchmarkCase c, PeakWatch watch, CancellationToken ct)
    {
        var dir = c.ModelDirectory;
        var vaeConfig = AutoencoderKLConfig.Read(Path.Combine(dir, StableDiffusionComponents.Vae, "config.json"));
        var vaeType = c.DType == ScalarType.Float16 && vaeConfig.ForceUpcast ? ScalarType.Float32 : c.DType;
        var schedulerConfig = SchedulerConfig.Read(Path.Combine(dir, StableDiffusionComponents.Scheduler, "scheduler_config.json"));
        using var textEncoder = TextEncoder(dir, c.DType, c.Device);
        using var unet = Unet(dir, c.DType, c.Device);
        using var vae = Vae(dir, vaeType, c.Device);
        unet.eval();
        long modelsResident = ProcessMemory.ResidentBytes();
        var sampler = new StableDiffusionSampler(unet, vae, () => SchedulerFactory.FromConfig(schedulerConfig));
        var options = new Txt2ImgOptions { Width = c.Size, Height = c.Size, Steps = c.Steps, BatchSize = c.Batch, VaeTiling = c.VaeTiling };
        var seeds = Enumerable.Range(0, c.Batch).Select(i => (long)i).ToList();

        using (var decodeScope = NewDisposeScope())
        using (no_grad())
        {
            var (channels, factor) = sampler.LatentLayout;
            var latents = randn([1, channels, c.Size / factor, c.Size / factor], dtype: vaeType, device: c.Device);
            vae.DecodeEach(latents, c.VaeTiling, imagesAtOnce: 1);
        }
        long decodePeak = watch.Peak;
        await watch.RestartAsync();

        using var scope = NewDisposeScope();
        var ids = TokenIds(textEncoder.Config, c.Batch).to(c.Device);
        var prompt = textEncoder.Encode(ids);
        var negative = textEncoder.Encode(ids);
        var noise = sampler.InitialNoise(seeds, options);
        using var batch = sampler.Sample(prompt, negative, noise, options, generator: null, seeds, ct);
        return new CaseRun(unet.parameters().Sum(p => p.NumberOfElements), modelsResident, decodePeak);
    }

    private static CaseRun RunTraining(MemoryBenchmarkCase c)
    {
        var dir = c.ModelDirectory;
        bool mixed = c.Precision == TrainingPrecision.BFloat16Mixed || (c.Precision == TrainingPrecision.Auto && c.Device.type == DeviceType.CUDA);
        var frozenType = mixed ? ScalarType.BFloat16 : ScalarType.Float32;
        var scheduler = new DdpmScheduler(SchedulerConfig.Read(Path.Combine(dir, StableDiffusionComponents.Scheduler, "scheduler_config.json")));
        var textEncoder = TextEncoder(dir, frozenType, c.Device);
        var vae = Vae(dir, frozenType, c.Device);
        var unet = Unet(dir, ScalarType.Float32, c.Device);
        using var model = DiffusionTrainingModel.Assemble(dir, c.Device, mixed, tokenizer: null, textEncoder, vae, unet, scheduler, c.GradientCheckpointing);
        long modelsResident = ProcessMemory.ResidentBytes();
        using var trainer = new DiffusionTrainer(model, new TrainerSettings { Steps = 2, Seed = 1 }, new ObjectiveSettings());
        var tokens = TokenIds(textEncoder.Config, c.Batch);
        var ids = tokens.data<long>().ToArray();
        tokens.Dispose();
        var random = new Random(1);
        for (int step = 0; step < 2; step++)
        {
            var pixels = new float[c.Batch * 3 * c.Size * c.Size];
            for (int i = 0; i < pixels.Length; i++) pixels[i] = (float)(random.NextDouble() * 2 - 1);
            var rows = Enumerable.Range(0, c.Batch).ToList();
            trainer.Step([new TrainingBatch(pixels, ids, (int)(ids.Length / c.Batch), c.Size, rows.Select(r => r % 2 == 1).ToList(),
                rows.Select(r => $"row-{r}").ToList(), DataPosition.Start, EndsEpoch: false)]);
        }
        return new CaseRun(model.UnetParameterCount, modelsResident, DecodePeak: null);
    }

    /// <summary>A prompt of a few tokens between BOS and EOS, padded with EOS to the encoder's length, for every row.</summary>
    private static Tensor TokenIds(CLIPTextConfig config, int batch)
    {
        int length = config.MaxPositionEmbeddings;
        var row = new long[length];
        Array.Fill(row, Math.Min(config.EosTokenId, config.VocabSize - 1));
        row[0] = Math.Min(config.BosTokenId, config.VocabSize - 1);
        for (int i = 1; i <= 5; i++) row[i] = Math.Min(1000 + i, config.VocabSize - 1);
        row[6] = Math.Min(config.EosTokenId, config.VocabSize - 1);
        return tensor(Enumerable.Repeat(row, batch).SelectMany(r => r).ToArray(), [batch, length]);
    }

    private static void RequireConfigs(string dir)
    {
        foreach (var component in Components)
        {
            var config = Path.Combine(dir, component, "config.json");
            if (!File.Exists(config))
                throw new InputDataException(config, "does not exist.", fix: "Point --model at a diffusers folder, or at a folder of its config files (unet, vae, text_encoder config.json and scheduler/scheduler_config.json).");
        }
        var scheduler = Path.Combine(dir, StableDiffusionComponents.Scheduler, "scheduler_config.json");
        if (!File.Exists(scheduler))
            throw new InputDataException(scheduler, "does not exist.", fix: "Add the model's scheduler/scheduler_config.json.");
    }

    private static bool HasWeights(string componentDirectory) =>
        Directory.Exists(componentDirectory) && Directory.EnumerateFiles(componentDirectory)
            .Any(f => f.EndsWith(".safetensors", StringComparison.Ordinal) || f.EndsWith(".bin", StringComparison.Ordinal));

    private static UNet2DConditionModel Unet(string dir, ScalarType dtype, Device device)
    {
        var component = Path.Combine(dir, StableDiffusionComponents.Unet);
        if (HasWeights(component)) return UNet2DConditionModel.FromFolder(component, dtype, device);
        var unet = new UNet2DConditionModel(UNet2DConditionConfig.Read(Path.Combine(component, "config.json")), device, dtype);
        UninitialisedNorms.Reset(unet);
        return unet;
    }

    private static AutoencoderKL Vae(string dir, ScalarType dtype, Device device)
    {
        var component = Path.Combine(dir, StableDiffusionComponents.Vae);
        if (HasWeights(component)) return AutoencoderKL.FromFolder(component, dtype, device);
        var vae = new AutoencoderKL(AutoencoderKLConfig.Read(Path.Combine(component, "config.json")), device, dtype);
        UninitialisedNorms.Reset(vae);
        vae.eval();
        return vae;
    }

    private static CLIPTextModel TextEncoder(string dir, ScalarType dtype, Device device)
    {
        var component = Path.Combine(dir, StableDiffusionComponents.TextEncoder);
        if (HasWeights(component)) return CLIPTextModel.FromFolder(component, dtype, device);
        var path = Path.Combine(component, "config.json");
        var config = ComponentConfig.Read<CLIPTextConfig>(path);
        config.Validate(path);
        var encoder = new CLIPTextModel(config, device, dtype);
        UninitialisedNorms.Reset(encoder);
        encoder.eval();
        foreach (var p in encoder.parameters()) p.requires_grad = false;
        return encoder;
    }

    /// <summary>
    /// The process's peak resident bytes since it was started or last restarted: the kernel's VmHWM where it could be
    /// reset (a fresh process's counts from its start either way), and the highest resident size sampled.
    /// </summary>
    private sealed class PeakWatch : IAsyncDisposable
    {
        private ProcessMemory.Sampler _sampler;
        private bool _kernelPeakIsOurs;

        public PeakWatch()
        {
            ProcessMemory.TryResetPeak();
            _kernelPeakIsOurs = true;
            _sampler = new ProcessMemory.Sampler();
        }

        public long Peak => Math.Max(_kernelPeakIsOurs ? ProcessMemory.KernelPeakResidentBytes() ?? 0 : 0, _sampler.Max);

        /// <summary>Forgets the peak so far: what follows is measured from the resident size now.</summary>
        public async Task RestartAsync()
        {
            await _sampler.DisposeAsync();
            _kernelPeakIsOurs = ProcessMemory.TryResetPeak();
            _sampler = new ProcessMemory.Sampler();
        }

        public ValueTask DisposeAsync() => _sampler.DisposeAsync();
    }
}
