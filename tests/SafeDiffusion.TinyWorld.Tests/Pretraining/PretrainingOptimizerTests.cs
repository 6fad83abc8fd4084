using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.TextEncoders;
using SafeDiffusion.Diffusion.Unet;
using SafeDiffusion.Diffusion.Vae;
using SafeDiffusion.TinyWorld.Models;
using SafeDiffusion.TinyWorld.Pretraining;
using TorchSharp;
using Parameter = TorchSharp.Modules.Parameter;

namespace SafeDiffusion.TinyWorld.Tests.Pretraining;

public sealed class PretrainingOptimizerTests
{
    public PretrainingOptimizerTests() => LibTorchRuntime.EnsureLoadable();

    private static List<(string Name, Parameter Parameter)> Named(string prefix, torch.nn.Module module) =>
        module.named_parameters().Select(p => (prefix + p.name, p.parameter)).ToList();

    [Fact]
    public void Under_Muon_the_denoiser_keeps_its_boundary_layers_embeddings_and_vectors_with_AdamW()
    {
        using var unet = new UNet2DConditionModel(TinyModelConfigs.Unet());
        using var text = new CLIPTextModel(TinyModelConfigs.TextEncoder());
        var parameters = Named("unet.", unet).Concat(Named("text_encoder.", text)).ToList();

        using var optimizer = new PretrainingOptimizer(parameters, PretrainingOptimizerKind.Muon, 1.0, DenoiserPretrainer.AdamWPrefixes);
        var muon = optimizer.MuonParameters.ToHashSet();

        Assert.Contains("unet.down_blocks.0.resnets.0.conv1.weight", muon);
        Assert.Contains("unet.down_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k.weight", muon);
        Assert.Contains("unet.time_embedding.linear_1.weight", muon);
        Assert.Contains("text_encoder.text_model.encoder.layers.0.self_attn.q_proj.weight", muon);
        Assert.DoesNotContain("unet.conv_in.weight", muon);
        Assert.DoesNotContain("unet.conv_out.weight", muon);
        Assert.DoesNotContain("text_encoder.text_model.embeddings.token_embedding.weight", muon);
        Assert.DoesNotContain(muon, name => name.EndsWith(".bias", StringComparison.Ordinal));
        Assert.All(muon, name => Assert.True(parameters.Single(p => p.Name == name).Parameter.dim() >= 2));
    }

    [Fact]
    public void Under_Muon_the_vae_keeps_its_pixel_and_latent_convolutions_with_AdamW()
    {
        using var vae = new AutoencoderKL(TinyModelConfigs.Vae());

        using var optimizer = new PretrainingOptimizer(Named("", vae), PretrainingOptimizerKind.Muon, 1.0, VaePretrainer.AdamWPrefixes);
        var muon = optimizer.MuonParameters.ToHashSet();

        Assert.Contains("encoder.down_blocks.0.resnets.0.conv1.weight", muon);
        foreach (var boundary in new[] { "encoder.conv_in.weight", "encoder.conv_out.weight", "quant_conv.weight", "post_quant_conv.weight", "decoder.conv_in.weight", "decoder.conv_out.weight" })
            Assert.DoesNotContain(boundary, muon);
    }

    [Fact]
    public void AdamW_alone_gives_Muon_nothing()
    {
        using var vae = new AutoencoderKL(TinyModelConfigs.Vae());

        using var optimizer = new PretrainingOptimizer(Named("", vae), PretrainingOptimizerKind.AdamW, 1.0, VaePretrainer.AdamWPrefixes);

        Assert.Empty(optimizer.MuonParameters);
    }
}
