using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Vae;
using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.TinyWorld.Models;
using SafeDiffusion.TinyWorld.Pretraining;
using SafeDiffusion.TinyWorld.Rendering;
using SafeDiffusion.TinyWorld.Tests.Support;
using SafeDiffusion.TinyWorld.World;

namespace SafeDiffusion.TinyWorld.Tests.Pretraining;

[Collection(GlobalTorchStateCollection.Name)]
public sealed class VaeRoundTripTests
{
    public VaeRoundTripTests() => LibTorchRuntime.EnsureLoadable();

    private static IReadOnlyList<Rgb8Image> Renders(int count)
    {
        var rng = new WorldRandom(7);
        return Enumerable.Range(0, count).Select(_ => SceneRenderer.Render(SceneSampler.Sample(rng, harmful: false), 32)).ToList();
    }

    [Fact]
    public void Gives_one_image_of_the_same_size_per_image_and_the_error_between_them()
    {
        using var vae = FreshModules.Create(5, () => new AutoencoderKL(TinyModelConfigs.Vae()));
        vae.eval();
        // One chunk and part of another: the error is the mean over all images, not over the last chunk.
        var renders = Renders(VaeRoundTrip.Chunk + 3);

        var (reconstructed, error) = VaeRoundTrip.Reconstruct(vae, renders, 32);

        Assert.Equal(VaeRoundTrip.Chunk + 3, reconstructed.Count);
        Assert.All(reconstructed, r => Assert.Equal((32, 32), (r.Width, r.Height)));
        // The error is measured before rounding to bytes: the bytes' own mean difference may stray by half a level.
        double fromBytes = renders.Zip(reconstructed).SelectMany(p => p.First.Pixels.ToArray().Zip(p.Second.Pixels.ToArray(), (a, b) => Math.Abs(a - b) / 255.0)).Average();
        Assert.InRange(error, fromBytes - 0.5 / 255, fromBytes + 0.5 / 255);
        // An untrained VAE draws nothing like the scene.
        Assert.True(error > 0.05, $"error {error}");
    }

    [Fact]
    public void Each_image_comes_back_on_its_own_whatever_else_is_in_the_batch()
    {
        using var vae = FreshModules.Create(5, () => new AutoencoderKL(TinyModelConfigs.Vae()));
        vae.eval();
        var renders = Renders(VaeRoundTrip.Chunk + 4);
        int second = VaeRoundTrip.Chunk + 2;

        var together = VaeRoundTrip.Reconstruct(vae, renders, 32).Images;
        var alone = VaeRoundTrip.Reconstruct(vae, [renders[2]], 32).Images.Single();
        var aloneInSecondChunk = VaeRoundTrip.Reconstruct(vae, [renders[second]], 32).Images.Single();

        static bool Close(Rgb8Image x, Rgb8Image y) => x.Pixels.Zip(y.Pixels).All(p => Math.Abs(p.First - p.Second) <= 1);
        Assert.True(Close(together[2], alone), "the third image differs when decoded with others");
        Assert.True(Close(together[second], aloneInSecondChunk), "an image of the second chunk differs when decoded with others");
        Assert.False(Close(together[2], together[second]), "two different scenes came back alike");
    }
}
