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
    /// <summary>
    /// Images per VAE call: small enough that a chunk's full-size activations (32 channels at 32x32) stay in the CPU's
    /// caches, which makes larger chunks several times slower per image (docs/lab-notebook.md, recipe 8).
    /// </summary>
    public const int Chunk = 32;

    /// <summary>The reconstructions of <paramref name="images"/> (all <paramref name="size"/> x <paramref name="size"/>), and their mean absolute error on a 0..1 scale.</summary>
    public static (IReadOnlyList<Rgb8Image> Images, double MeanAbsoluteError) Reconstruct(AutoencoderKL vae, IReadOnlyList<Rgb8Image> images, int size)
    {
        using var noGrad = torch.no_grad();
        var reconstructed = new List<Rgb8Image>(images.Count);
        double errorSum = 0;
        int stride = size * size * 3;
        foreach (var chunk in images.Chunk(Chunk))
        {
            using var scope = NewDisposeScope();
            var pixels = ImageTensors.ToBatch(chunk, size) * 2 - 1;
            using var posterior = vae.Encode(pixels);
            var decoded = vae.Decode(posterior.Mean).clamp(-1, 1);
            errorSum += (decoded - pixels).abs().sum().item<float>();
            var bytes = ((decoded + 1) * 127.5).round().to(ScalarType.Byte).permute(0, 2, 3, 1).contiguous().data<byte>().ToArray();
            reconstructed.AddRange(Enumerable.Range(0, chunk.Length).Select(i => new Rgb8Image(bytes.AsSpan(i * stride, stride).ToArray(), size, size)));
        }
        return (reconstructed, errorSum / ((double)images.Count * stride) / 2);
    }
}
