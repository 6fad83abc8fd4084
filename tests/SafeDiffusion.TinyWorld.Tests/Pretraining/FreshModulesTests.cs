using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.TextEncoders;
using SafeDiffusion.Diffusion.Unet;
using SafeDiffusion.Diffusion.Vae;
using SafeDiffusion.TinyWorld.Models;
using SafeDiffusion.TinyWorld.Pretraining;
using SafeDiffusion.TinyWorld.Tests.Support;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Tests.Pretraining;

[Collection(GlobalTorchStateCollection.Name)]
public sealed class FreshModulesTests
{
    public FreshModulesTests() => LibTorchRuntime.EnsureLoadable();

    [Fact]
    public void Every_normalisation_layer_starts_as_the_identity_as_in_PyTorch()
    {
        using var vae = FreshModules.Create(1, () => new AutoencoderKL(TinyModelConfigs.Vae()));
        using var unet = FreshModules.Create(2, () => new UNet2DConditionModel(TinyModelConfigs.Unet()));
        using var text = FreshModules.Create(3, () => new CLIPTextModel(TinyModelConfigs.TextEncoder()));
        int norms = 0;
        foreach (var module in new nn.Module[] { vae, unet, text })
        foreach (var child in module.modules())
        {
            (Tensor? weight, Tensor? bias) = child switch
            {
                GroupNorm g => (g.weight, g.bias),
                LayerNorm l => (l.weight, l.bias),
                _ => (null, null),
            };
            if (weight is null) continue;
            norms++;
            Assert.True(weight.eq(1).all().item<bool>());
            Assert.True(bias!.eq(0).all().item<bool>());
        }
        Assert.True(norms > 10, $"only {norms} normalisation layers found");
    }

    [Fact]
    public void A_fresh_autoencoder_and_unet_give_finite_outputs_on_a_flat_image()
    {
        using var scope = torch.NewDisposeScope();
        using var vae = FreshModules.Create(1, () => new AutoencoderKL(TinyModelConfigs.Vae()));
        using var unet = FreshModules.Create(2, () => new UNet2DConditionModel(TinyModelConfigs.Unet()));
        using var noGrad = torch.no_grad();
        // A flat image has zero variance in every group: only a correctly initialised norm keeps it finite.
        var image = torch.full([2, 3, 32, 32], 0.25f);
        using var posterior = vae.Encode(image);
        var decoded = vae.Decode(posterior.Mean);
        var noise = unet.Forward(posterior.Mean, torch.tensor(new long[] { 10, 900 }), torch.zeros(2, 5, 64));
        Assert.True(decoded.isfinite().all().item<bool>());
        Assert.True(noise.isfinite().all().item<bool>());
    }

    [Fact]
    public void The_same_seed_gives_the_same_weights()
    {
        using var a = FreshModules.Create(9, () => new CLIPTextModel(TinyModelConfigs.TextEncoder()));
        using var b = FreshModules.Create(9, () => new CLIPTextModel(TinyModelConfigs.TextEncoder()));
        using var c = FreshModules.Create(10, () => new CLIPTextModel(TinyModelConfigs.TextEncoder()));
        var pa = a.named_parameters().ToList();
        var pb = b.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var pc = c.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.All(pa, p => Assert.True(p.parameter.equal(pb[p.name]).all().item<bool>()));
        Assert.Contains(pa, p => !p.parameter.equal(pc[p.name]).all().item<bool>());
    }
}
