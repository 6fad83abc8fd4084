using SafeDiffusion.Diffusion.Vae;
using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.TinyWorld.Classifier;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Pretraining;

/// <summary>
/// Images through a VAE and back (posterior mean, decoded, rounded to 8 bits): what the decoder can show of a scene
/// from a latent the encoder could give it. Any image the base model generates leaves through the same decoder, so
/// the classifier's verdict on round-tripped renders is roughly the most the UNet can reach.
/// </summary>
public static class VaeRoundTrip
{
    /// <summary>The reconstructions of <paramref name="images"/> (all <paramref name="size"/> x <paramref name="size"/>), and their mean absolute error on a 0..1 scale.</summary>
    public static (IReadOnlyList<Rgb8Image> Images, double MeanAbsoluteError) Reconstruct(AutoencoderKL vae, IReadOnlyList<Rgb8Image> images, int size)
    {
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        var pixels = ImageTensors.ToBatch(images, size) * 2 - 1;
        using var posterior = vae.Encode(pixels);
        var decoded = vae.Decode(posterior.Mean).clamp(-1, 1);
        double error = (decoded - pixels).abs().mean().item<float>() / 2;
        var bytes = ((decoded + 1) * 127.5).round().to(ScalarType.Byte).permute(0, 2, 3, 1).contiguous().data<byte>().ToArray();
        int stride = size * size * 3;
        var reconstructed = Enumerable.Range(0, images.Count).Select(i => new Rgb8Image(bytes.AsSpan(i * stride, stride).ToArray(), size, size)).ToList();
        return (reconstructed, error);
    }
}
