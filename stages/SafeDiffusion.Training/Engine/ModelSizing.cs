using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Diffusion.ModelFolder;
using SafeDiffusion.Diffusion.Unet;
using SafeDiffusion.Diffusion.Vae;

namespace SafeDiffusion.Training.Engine;

/// <summary>
/// Device memory a training run needs, estimated before any weights are loaded (a lease is taken first): parameter
/// counts come from the safetensors headers of the model folder.
/// </summary>
public static class ModelSizing
{
    /// <summary>
    /// Activation memory of a training step per image pixel per batch row in float32 (bf16 halves it), without
    /// gradient checkpointing: the VAE encode, the text encoder and the UNet's forward and backward. Must stay at or
    /// above what `pipeline bench memory` measures for SD 1.4 at 512 px and SD 2.1 at 768 px (the step's peak minus
    /// the parameter terms below and the runtime, over the pixels), so a lease covers the step, and within a tenth of
    /// it so a lease does not hold back runs that fit; the measured peaks are in docs/real-models.md, "Memory", and
    /// ModelSizingTests holds the estimate to them.
    /// </summary>
    public const long ActivationBytesPerPixel = 8 * 1024;

    /// <summary>
    /// As <see cref="ActivationBytesPerPixel"/> with gradient checkpointing (block inputs and outputs and one block's
    /// activations at a time), under the same rule.
    /// </summary>
    public const long CheckpointedActivationBytesPerPixel = 6 * 1024;

    /// <summary>The image side a model was trained at: the UNet's sample size times the VAE's downscale factor.</summary>
    public static int NativeResolution(string modelDirectory)
    {
        var unet = UNet2DConditionConfig.Read(Path.Combine(modelDirectory, StableDiffusionComponents.Unet, "config.json"));
        var vae = AutoencoderKLConfig.Read(Path.Combine(modelDirectory, StableDiffusionComponents.Vae, "config.json"));
        return (unet.SampleSize ?? 64) * vae.DownscaleFactor;
    }

    /// <summary>Elements in a component's weight files (e.g. <c>unet</c>), of the <paramref name="variant"/> where the folder has it.</summary>
    /// <exception cref="Core.Errors.InputDataException">The component has no weights (the message names <c>variant:</c>).</exception>
    public static long ParameterCount(string modelDirectory, string component, string? variant = null)
    {
        var files = ComponentWeights.Open(Path.Combine(modelDirectory, component), variant);
        try { return files.SelectMany(f => f.Tensors.Values).Sum(e => e.ElementCount); }
        finally { foreach (var f in files) f.Dispose(); }
    }

    /// <summary>
    /// The trained UNet with float32 weights, gradients and two Adam moments (16 bytes a parameter; mixed precision
    /// adds a bfloat16 copy and its gradients, 4 more), the frozen VAE and text encoder, and activations. The
    /// process's own runtime (about a quarter GiB on the CPU) is shared by the jobs of one process and not counted here.
    /// </summary>
    /// <param name="variant">The configured weight file variant (e.g. fp16); counts are the same in every variant.</param>
    /// <param name="gradientCheckpointing">The UNet recomputes its blocks in the backward pass (fewer activations kept).</param>
    /// <exception cref="Core.Errors.InputDataException">A component has no weights (the message names <c>variant:</c>).</exception>
    public static ByteSize TrainingMemory(string modelDirectory, int resolution, int batchSize, bool mixedPrecision, string? variant = null,
        bool gradientCheckpointing = false)
    {
        var parameters = new TrainingParameterCounts(
            ParameterCount(modelDirectory, StableDiffusionComponents.Unet, variant),
            ParameterCount(modelDirectory, StableDiffusionComponents.Vae, variant)
            + ParameterCount(modelDirectory, StableDiffusionComponents.TextEncoder, variant));
        return TrainingMemory(parameters, resolution, batchSize, mixedPrecision, gradientCheckpointing);
    }

    /// <summary>As the folder overload, from parameter counts already known.</summary>
    public static ByteSize TrainingMemory(TrainingParameterCounts parameters, int resolution, int batchSize, bool mixedPrecision,
        bool gradientCheckpointing = false)
    {
        long bytes = parameters.Unet * (mixedPrecision ? 20 : 16)
                     + parameters.Frozen * (mixedPrecision ? 2 : 4)
                     + (long)resolution * resolution * batchSize
                       * (gradientCheckpointing ? CheckpointedActivationBytesPerPixel : ActivationBytesPerPixel) / (mixedPrecision ? 2 : 1);
        return new ByteSize(bytes);
    }
}
