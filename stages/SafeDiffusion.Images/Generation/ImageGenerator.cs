using System.Collections.Concurrent;
using System.Threading.Tasks.Dataflow;
using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.IO;
using SafeDiffusion.Core.Progress;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Datasets.Parts;
using SafeDiffusion.Datasets.Schemas;
using SafeDiffusion.Diffusion.Devices;
using SafeDiffusion.Diffusion.Pipelines;
using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.Images.Codecs;
using TorchSharp;

namespace SafeDiffusion.Images.Generation;

/// <summary>
/// Generates images for prompt records into a folder of images-schema Parquet parts: model replicas under device
/// leases, parallel PNG encoders, one resumable writer. The image stage runs one over its input; the evaluation
/// stage runs one per model and prompt set.
/// </summary>
/// <param name="stageName">Shown in progress and log lines.</param>
/// <param name="modelDirectory">The model folder; null resolves <see cref="ImageGenerationConfig.Model"/>.</param>
/// <param name="outputFolder">Where the parts go; null is the stage's own folder.</param>
public sealed class ImageGenerator(StageContext context, ImageGenerationConfig config, string stageName,
    string? modelDirectory = null, string? outputFolder = null)
{
    private readonly ConcurrentDictionary<string, byte> _claimed = new(StringComparer.Ordinal);
    // Every image this execution's prompts call for, written now or kept from earlier: the folder keeps no others.
    private readonly ConcurrentDictionary<string, byte> _wanted = new(StringComparer.Ordinal);
    private long _prompts;
    private long _generated;
    private long _resumed;
    private long _outsideShard;

    /// <summary>Generates the images of every prompt in the list that falls in the run's shard and is not yet written.</summary>
    public async Task GenerateAsync(IEnumerable<PromptRecord> prompts)
    {
        var input = new BufferBlock<PromptRecord>(BlockOptions.Unbounded(context.Cancellation));
        foreach (var p in prompts) input.Post(p);
        input.Complete();
        await RunAsync(input, DataflowBlock.NullTarget<ImageRecord>(), recordInManifest: false).ConfigureAwait(false);
    }

    /// <param name="recordInManifest">Add the parts as the stage's artifacts and the counts as its metrics.</param>
    public async Task RunAsync(BufferBlock<PromptRecord> input, ITargetBlock<ImageRecord> output, bool recordInManifest = true)
    {
        var ct = context.Cancellation;
        var modelDir = modelDirectory ?? await context.Models.ResolveAsync(config.Model, context.Progress, ct).ConfigureAwait(false);
        var modelId = ModelIdentity.Of(modelDir);
        var folder = outputFolder ?? context.Directory;
        var resumed = StageOutputFolder.Prepare(folder, ImageGenerationStage.SettingsHash(config, modelId, context.Shard));
        var options = new ParquetPartWriterOptions { RowGroupRows = config.RowGroupRows, RowsPerPart = config.RowsPerPart };
        if (!context.Shard.IsAll) options = options.ForShard(context.Shard);
        await using var writer = await ParquetPartWriter<ImageRecord>.OpenAsync(folder, ImagesSchema.Instance, options, ct).ConfigureAwait(false);
        if (resumed) context.Progress.Info($"{stageName}: resuming; {writer.ExistingIds.Count} image(s) already written are kept.");

        using var progress = context.Progress.Start(stageName, 0, "images");
        var write = new ActionBlock<ImageRecord>(async row =>
        {
            if (await writer.WriteAsync(row, ct).ConfigureAwait(false)) progress.Increment();
            if (!await output.SendAsync(row, ct).ConfigureAwait(false))
                throw new OperationCanceledException("The stage after image generation stopped accepting rows.");
        }, new ExecutionDataflowBlockOptions { MaxDegreeOfParallelism = 1, BoundedCapacity = 2 * config.BatchSize, CancellationToken = ct });
        var encode = new TransformBlock<(GenerationWorkItem Item, GeneratedImage Image), ImageRecord>(
            x => ToRecord(x.Item, x.Image, modelId),
            BlockOptions.Cpu(ct, config.EncodeParallelism, capacity: 2 * config.BatchSize));
        encode.LinkTo(write, new DataflowLinkOptions { PropagateCompletion = true });

        var replicas = config.Replicas > 0 ? config.Replicas : DefaultReplicas(context.Devices.Devices);
        var queue = new PromptQueue(input, config.MaxPrompts);
        var generators = Enumerable.Range(0, replicas)
            .Select(r => Task.Run(() => GenerateOnReplicaAsync(r, modelDir, modelId, queue, writer, encode, progress), ct))
            .ToList();
        try
        {
            await Task.WhenAll(generators).ConfigureAwait(false);
            encode.Complete();
            await write.Completion.ConfigureAwait(false);
        }
        catch
        {
            ((IDataflowBlock)encode).Fault(new OperationCanceledException());
            throw;
        }
        await writer.CompleteAsync().ConfigureAwait(false);
        // Images kept from an earlier execution whose prompts this one was not given (the upstream prompts changed)
        // would outlive their inputs: they leave the folder.
        if (writer.ExistingIds.Any(id => !_wanted.ContainsKey(id)))
        {
            var dropped = await PartFolderRetention.RetainAsync(folder, ImagesSchema.Instance, options, _wanted.ContainsKey, ct).ConfigureAwait(false);
            context.Progress.Info($"{stageName}: {dropped} image(s) of prompts no longer given removed.");
        }
        if (!recordInManifest) return;

        foreach (var part in PartFiles.List(folder)) context.AddArtifact(part, "images-parquet");
        context.SetMetric("prompts", _prompts);
        context.SetMetric("images_generated", _generated);
        context.SetMetric("images_resumed", _resumed);
        if (!context.Shard.IsAll) context.SetMetric("prompts_outside_shard", _outsideShard);
        context.SetNote("model_id", modelId);
        context.SetNote("sampling", $"{config.Width}x{config.Height}, {config.Steps} steps, guidance {config.Guidance}, scheduler {(config.Scheduler.Length == 0 ? "folder default" : config.Scheduler)}");
    }

    private async Task GenerateOnReplicaAsync(int replica, string modelDir, string modelId, PromptQueue queue,
        ParquetPartWriter<ImageRecord> writer, ITargetBlock<(GenerationWorkItem, GeneratedImage)> encode, IProgressTask progress)
    {
        var ct = context.Cancellation;
        var pending = new List<GenerationWorkItem>();
        Core.Devices.DeviceLease? lease = null;
        StableDiffusionModels? models = null;
        ClipTextConditioner? text = null;
        StableDiffusionSampler? sampler = null;
        try
        {
            while (true)
            {
                // Gather a batch: items of one guidance scale (a batch shares it), topped up from new prompts.
                while (pending.Count < config.BatchSize)
                {
                    var prompt = await queue.NextAsync(pending.Count == 0, ct).ConfigureAwait(false);
                    if (prompt is null) break;
                    Interlocked.Increment(ref _prompts);
                    if (!context.Shard.Contains(prompt.PromptId))
                    {
                        Interlocked.Increment(ref _outsideShard);
                        continue;
                    }
                    progress.SetTotal(Interlocked.Add(ref _plannedImages, config.ImagesPerPrompt));
                    foreach (var item in WorkFor(prompt, modelId))
                    {
                        _wanted.TryAdd(item.ImageId, 0);
                        if (writer.Contains(item.ImageId) || !_claimed.TryAdd(item.ImageId, 0))
                        {
                            Interlocked.Increment(ref _resumed);
                            progress.Increment();
                            continue;
                        }
                        pending.Add(item);
                    }
                }
                if (pending.Count == 0) return;
                var guidance = pending[0].Guidance;
                var batch = pending.Where(p => p.Guidance == guidance).Take(config.BatchSize).ToList();
                pending.RemoveAll(batch.Contains);

                if (sampler is null)
                {
                    lease = await context.LeaseAsync(MemoryEstimate.ForTxt2Img(modelDir, config)).ConfigureAwait(false);
                    var device = TorchDevices.ToTorch(lease.Device);
                    var reference = context.Models.Get(config.Model);
                    var dtype = TorchDevices.ResolveDtype(reference.Dtype, lease.Device);
                    models = StableDiffusionModels.Load(modelDir, dtype, device, reference.Variant);
                    text = ClipTextConditioner.FromModelFolder(modelDir, dtype, device, reference.Variant,
                        message => context.Progress.Warn($"{stageName}: {message}"));
                    sampler = models.CreateSampler(config.Scheduler.Length == 0 ? null : config.Scheduler.Replace('-', '_'));
                    context.SetNote($"replica_{replica}", $"{lease.Device.Id}, {dtype}");
                }
                var options = new Txt2ImgOptions
                {
                    Width = config.Width,
                    Height = config.Height,
                    Steps = config.Steps,
                    GuidanceScale = guidance,
                    // The configured size, not this batch's: a short batch then splits between CPU threads as a full
                    // one does, and its images come out the same bytes (StableDiffusionSampler.CpuSplitFor).
                    BatchSize = config.BatchSize,
                    // On the CPU a batch keeps to its compute slot's share of the threads: batches of other replicas and
                    // stages run beside it.
                    CpuThreads = lease!.Device.Kind == Core.Devices.DeviceKind.Cpu ? TorchDevices.CpuThreadsPerCompute(lease.Device) : 0,
                    VaeTiling = config.VaeTiling,
                    VaeDecodeBatch = config.VaeDecodeBatch,
                };
                IReadOnlyList<GeneratedImage> images;
                using (await lease!.AcquireComputeAsync(ct).ConfigureAwait(false))
                {
                    images = sampler.Generate(text!, batch.Select(b => new Txt2ImgPrompt(b.Prompt.Text, b.Seed, config.NegativePrompt)).ToList(),
                        options, ct).ToList();
                }
                for (int i = 0; i < batch.Count; i++)
                {
                    Interlocked.Increment(ref _generated);
                    if (!await encode.SendAsync((batch[i], images[i]), ct).ConfigureAwait(false))
                        throw new OperationCanceledException("PNG encoding stopped accepting images.");
                }
            }
        }
        finally
        {
            text?.Dispose();
            models?.Dispose();
            lease?.Dispose();
        }
    }

    private long _plannedImages;

    /// <summary>One replica per GPU; with none, one per compute slot of the CPU devices (each batch on its share of the cores).</summary>
    internal static int DefaultReplicas(IReadOnlyList<Core.Devices.DeviceSpec> devices)
    {
        int gpus = devices.Count(d => d.Kind == Core.Devices.DeviceKind.Cuda);
        return gpus > 0 ? gpus : Math.Max(1, devices.Where(d => d.Kind == Core.Devices.DeviceKind.Cpu).Sum(d => d.ComputeSlots));
    }

    private IEnumerable<GenerationWorkItem> WorkFor(PromptRecord prompt, string modelId)
    {
        for (int i = 0; i < config.ImagesPerPrompt; i++)
        {
            // The first image uses the prompt's own seed (a prompt set's published seed reproduces its image).
            var seed = i == 0 ? prompt.Seed : SeedDerivation.Derive(prompt.Seed, "image", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            yield return new GenerationWorkItem(prompt, i, seed, prompt.Guidance ?? config.Guidance, ImageRecord.StableId(prompt.PromptId, modelId, seed, i));
        }
    }

    private ImageRecord ToRecord(GenerationWorkItem item, GeneratedImage image, string modelId)
    {
        var png = PngCodec.Encode(image.Image);
        var p = item.Prompt;
        return new ImageRecord(item.ImageId, p.PromptId, p.Text, p.Label, p.Category, png, image.Width, image.Height, item.Seed,
            config.Steps, item.Guidance, config.Scheduler.Length == 0 ? "default" : config.Scheduler, modelId, FileHash.Sha256(png),
            ImageRecord.SplitFor(p.PromptId, config.HoldoutFraction));
    }

    /// <summary>Hands prompts to replicas; stops after <c>maxPrompts</c> when set.</summary>
    private sealed class PromptQueue(BufferBlock<PromptRecord> input, int maxPrompts)
    {
        private int _taken;

        /// <param name="wait">Wait for a prompt (true) or take one only if it is already there.</param>
        public async Task<PromptRecord?> NextAsync(bool wait, CancellationToken ct)
        {
            while (true)
            {
                if (maxPrompts > 0 && Volatile.Read(ref _taken) >= maxPrompts) return null;
                if (input.TryReceive(out var prompt))
                {
                    if (maxPrompts > 0 && Interlocked.Increment(ref _taken) > maxPrompts) return null;
                    return prompt;
                }
                if (!wait) return null;
                if (!await input.OutputAvailableAsync(ct).ConfigureAwait(false)) return null;
            }
        }
    }
}
