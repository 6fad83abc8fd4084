using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Schedulers;
using SafeDiffusion.Diffusion.Unet;
using SafeDiffusion.Diffusion.Vae;
using SafeDiffusion.Diffusion.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Pipelines;

/// <summary>
/// Text-to-image sampling as diffusers' StableDiffusionPipeline: initial latents from one CPU generator per image,
/// classifier-free guidance over [negative; prompt] embeddings, the scheduler loop, VAE decode. Latents and the
/// scheduler arithmetic stay float32; the UNet and VAE run in their own precision (float16/bfloat16 on CUDA), so
/// the same seed gives the same starting noise on every device. Does not own the models.
/// </summary>
public sealed class StableDiffusionSampler
{
    private readonly UNet2DConditionModel _unet;
    private readonly AutoencoderKL _vae;
    private readonly Func<IScheduler> _createScheduler;

    /// <param name="createScheduler">A fresh scheduler per batch (schedulers carry per-run state).</param>
    public StableDiffusionSampler(UNet2DConditionModel unet, AutoencoderKL vae, Func<IScheduler> createScheduler)
    {
        _unet = unet;
        _vae = vae;
        _createScheduler = createScheduler;
    }

    public UNet2DConditionModel Unet => _unet;
    public AutoencoderKL Vae => _vae;

    /// <summary>Latent channels and the image-to-latent factor the models imply.</summary>
    public (int Channels, int DownscaleFactor) LatentLayout => (_unet.Config.InChannels, _vae.Config.DownscaleFactor);

    /// <summary>
    /// Generates every prompt's image, <see cref="Txt2ImgOptions.BatchSize"/> at a time, yielding each batch's images
    /// as soon as it is decoded.
    /// </summary>
    public IEnumerable<GeneratedImage> Generate(ITextConditioner text, IReadOnlyList<Txt2ImgPrompt> prompts, Txt2ImgOptions options,
        CancellationToken cancellationToken = default)
    {
        options.Validate(_vae.Config.DownscaleFactor);
        for (int start = 0; start < prompts.Count; start += options.BatchSize)
        {
            var chunk = prompts.Skip(start).Take(options.BatchSize).ToList();
            IReadOnlyList<GeneratedImage> images;
            using (var scope = NewDisposeScope())
            {
                var conditioning = text.Encode(chunk.Select(p => p.Prompt).ToList());
                var negative = options.UsesGuidance ? text.Encode(chunk.Select(p => p.NegativePrompt).ToList()) : null;
                using var batch = Sample(conditioning, negative, chunk.Select(p => p.Seed).ToList(), options, cancellationToken);
                images = batch.Images;
            }
            foreach (var image in images) yield return image;
        }
    }

    /// <summary>
    /// One batch from embeddings, one seed per image. On the CPU the batch is split into shares sampled at once, each
    /// on a thread of its own with an equal part of the torch threads (<see cref="CpuSplitFor"/>); every image has its
    /// own generator, so the split does not change what they show (their last bits can differ, see <see cref="CpuSplitFor"/>).
    /// </summary>
    /// <param name="promptEmbeddings">[B, tokens, hidden].</param>
    /// <param name="negativeEmbeddings">[B, tokens, hidden]; required when guidance is on (encode "" for unconditional).</param>
    public Txt2ImgBatch Sample(Tensor promptEmbeddings, Tensor? negativeEmbeddings, IReadOnlyList<long> seeds, Txt2ImgOptions options,
        CancellationToken cancellationToken = default)
    {
        options.Validate(_vae.Config.DownscaleFactor);
        if (seeds.Count != promptEmbeddings.shape[0])
            throw new ArgumentException($"{seeds.Count} seeds for {promptEmbeddings.shape[0]} prompt embeddings.", nameof(seeds));
        var split = CpuSplitFor(options, seeds.Count);
        if (split.ThreadsEach == 0) return SampleSeeded(promptEmbeddings, negativeEmbeddings, seeds, options, cancellationToken);

        var parts = TorchWorkerThreads.Run(split.Shares, split.ThreadsEach, share =>
        {
            var (start, length) = TorchWorkerThreads.Share(share, split.Shares, seeds.Count);
            using var prompt = promptEmbeddings.narrow(0, start, length);
            using var negative = negativeEmbeddings?.narrow(0, start, length);
            return SampleSeeded(prompt, negative, seeds.Skip(start).Take(length).ToList(), options, cancellationToken);
        }, part => part.Dispose());
        try
        {
            return Txt2ImgBatch.Concat(parts);
        }
        finally
        {
            foreach (var part in parts) part.Dispose();
        }
    }

    /// <summary>
    /// How a batch of <paramref name="rows"/> is sampled on the CPU: a full batch (<see cref="Txt2ImgOptions.BatchSize"/>)
    /// in one share per thread (<see cref="Txt2ImgOptions.CpuThreads"/>; 0, <see cref="TorchWorkerThreads.DefaultCount"/>)
    /// but at most one per image, each with an equal part of the threads, so a batch of 4 on 16 threads runs as 4 shares
    /// of 4 threads. A shorter batch (a shard's or a list's last) keeps the full batch's threads per share, and so gives
    /// each image the same bytes as in a full batch (libtorch's results depend on a thread's count). The split never
    /// reads the calling thread's torch count: libtorch fixes a thread's count when the thread first computes, from the
    /// process-wide count of that moment, so two pool threads of one process can hold different counts, and a batch
    /// would draw different bytes on each. ThreadsEach 0: the whole batch on the calling thread as it is (CUDA, or a
    /// libtorch whose threads cannot be set per thread, <see cref="TorchThreadLimit.IsAvailable"/>).
    /// </summary>
    public (int Shares, int ThreadsEach) CpuSplitFor(Txt2ImgOptions options, int rows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        if (_unet.Device.type != DeviceType.CPU || !TorchThreadLimit.IsAvailable) return (1, 0);
        int threads = options.CpuThreads > 0 ? options.CpuThreads : TorchWorkerThreads.DefaultCount;
        int fullBatchShares = Math.Max(1, Math.Min(threads, options.BatchSize));
        return (Math.Min(fullBatchShares, rows), Math.Max(1, threads / fullBatchShares));
    }

    private Txt2ImgBatch SampleSeeded(Tensor promptEmbeddings, Tensor? negativeEmbeddings, IReadOnlyList<long> seeds, Txt2ImgOptions options,
        CancellationToken cancellationToken)
    {
        var generators = seeds.Select(CreateGenerator).ToList();
        try
        {
            using var noise = InitialNoise(generators, options);
            return Sample(promptEmbeddings, negativeEmbeddings, noise, options, new NoiseGenerator(generators), seeds, cancellationToken);
        }
        finally
        {
            foreach (var g in generators) g.Dispose();
        }
    }

    /// <summary>
    /// One batch from given standard-normal starting noise (scaled by the scheduler's init sigma here, as diffusers'
    /// <c>prepare_latents</c> does). <paramref name="generator"/> feeds stochastic schedulers; <paramref name="seeds"/>
    /// are recorded with the images.
    /// </summary>
    public Txt2ImgBatch Sample(Tensor promptEmbeddings, Tensor? negativeEmbeddings, Tensor initialNoise, Txt2ImgOptions options,
        NoiseGenerator? generator, IReadOnlyList<long> seeds, CancellationToken cancellationToken = default)
    {
        options.Validate(_vae.Config.DownscaleFactor);
        long batch = promptEmbeddings.shape[0];
        if (options.UsesGuidance && negativeEmbeddings is null)
            throw new ArgumentException("Classifier-free guidance needs negative (or empty-prompt) embeddings.", nameof(negativeEmbeddings));
        if (initialNoise.shape[0] != batch || seeds.Count != batch || negativeEmbeddings is not null && negativeEmbeddings.shape[0] != batch)
            throw new ArgumentException("Prompt embeddings, negative embeddings, initial noise and seeds must have the same batch size.");

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using var scheduler = _createScheduler();
        scheduler.SetTimesteps(options.Steps);

        var device = _unet.Device;
        var context = (options.UsesGuidance ? cat([negativeEmbeddings!, promptEmbeddings]) : promptEmbeddings).to(_unet.DType, device);
        var latents = initialNoise.to(ScalarType.Float32, device) * scheduler.InitNoiseSigma;
        foreach (var t in scheduler.Timesteps)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var stepScope = NewDisposeScope();
            var modelInput = options.UsesGuidance ? cat([latents, latents]) : latents;
            modelInput = scheduler.ScaleModelInput(modelInput, t);
            var prediction = _unet.Forward(modelInput.to_type(_unet.DType), t, context).to_type(ScalarType.Float32);
            if (options.UsesGuidance)
            {
                var parts = prediction.chunk(2);
                prediction = parts[0] + options.GuidanceScale * (parts[1] - parts[0]);
            }
            var next = scheduler.Step(prediction, t, latents, generator).MoveToOuterDisposeScope();
            latents.Dispose();
            latents = next;
        }

        // By default one image at a time: a batch's decoder activations at 768 px would outweigh the UNet's.
        var decoded = _vae.DecodeEach((latents / _vae.ScalingFactor).to_type(_vae.DType), options.VaeTiling, options.VaeDecodeBatch).to_type(ScalarType.Float32);
        var pixels = (decoded / 2 + 0.5).clamp(0, 1).cpu();
        var images = ToRgb8(pixels, seeds);
        return new Txt2ImgBatch(latents.cpu().DetachFromDisposeScope(), pixels.DetachFromDisposeScope(), images);
    }

    /// <summary>Standard-normal starting noise, each image's drawn from its own generator: [1, C, h, w] per seed.</summary>
    public Tensor InitialNoise(IReadOnlyList<long> seeds, Txt2ImgOptions options)
    {
        var generators = seeds.Select(CreateGenerator).ToList();
        try
        {
            return InitialNoise(generators, options);
        }
        finally
        {
            foreach (var g in generators) g.Dispose();
        }
    }

    private Tensor InitialNoise(IReadOnlyList<Generator> generators, Txt2ImgOptions options)
    {
        var (channels, factor) = LatentLayout;
        long[] shape = [generators.Count, channels, options.Height / factor, options.Width / factor];
        return new NoiseGenerator(generators).Randn(shape, ScalarType.Float32, CPU);
    }

    private static Generator CreateGenerator(long seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(seed);
        return new Generator((ulong)seed);
    }

    /// <summary>diffusers' <c>numpy_to_pil</c>: <c>round(pixels * 255)</c> as bytes, channels last.</summary>
    private static IReadOnlyList<GeneratedImage> ToRgb8(Tensor pixels, IReadOnlyList<long> seeds)
    {
        using var scope = NewDisposeScope();
        int height = (int)pixels.shape[2], width = (int)pixels.shape[3];
        var bytes = (pixels * 255).round().to_type(ScalarType.Byte).permute(0, 2, 3, 1).contiguous();
        var images = new List<GeneratedImage>();
        for (int i = 0; i < pixels.shape[0]; i++)
            images.Add(new GeneratedImage(new Rgb8Image(bytes[i].bytes.ToArray(), width, height), seeds[i]));
        return images;
    }
}
