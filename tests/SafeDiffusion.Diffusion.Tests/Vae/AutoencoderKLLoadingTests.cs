using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Safetensors;
using SafeDiffusion.Diffusion.Vae;
using SafeDiffusion.Testing;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Tests.Vae;

public class AutoencoderKLLoadingTests
{
    public AutoencoderKLLoadingTests() => LibTorchRuntime.EnsureLoadable();

    [Fact]
    public void A_vae_saved_with_the_old_query_key_value_proj_attn_names_loads_the_same_weights()
    {
        var folder = SdParity.Component(SdParity.Sd1, "vae");
        using var temp = new TempDirectory("vae");
        File.Copy(Path.Combine(folder, "config.json"), temp.File("config.json"));
        using (var scope = NewDisposeScope())
        using (var file = SafetensorsFile.Open(Path.Combine(folder, "diffusion_pytorch_model.safetensors")))
        {
            var renamed = file.Tensors.Keys.ToDictionary(
                k => k.Replace(".to_q.", ".query.").Replace(".to_k.", ".key.").Replace(".to_v.", ".value.").Replace(".to_out.0.", ".proj_attn."),
                k => file.Load(k));
            Assert.Contains("decoder.mid_block.attentions.0.proj_attn.weight", renamed.Keys);
            SafetensorsWriter.Write(temp.File("diffusion_pytorch_model.safetensors"), renamed);
        }

        using var current = AutoencoderKL.FromFolder(folder, ScalarType.Float32, CPU);
        using var legacy = AutoencoderKL.FromFolder(temp.Path, ScalarType.Float32, CPU);

        var expected = current.state_dict();
        foreach (var (name, tensor) in legacy.state_dict())
            Assert.True(tensor.allclose(expected[name], rtol: 0, atol: 0), name);
    }

    [Fact]
    public void Scaling_factor_and_downscale_factor_come_from_the_config()
    {
        var config = AutoencoderKLConfig.Read(Path.Combine(SdParity.Component(SdParity.Sd2, "vae"), "config.json"));

        Assert.Equal(0.18215, config.ScalingFactor);
        Assert.Equal(4, config.DownscaleFactor);
        Assert.Equal(1, config.LayersPerBlock);
    }
}
