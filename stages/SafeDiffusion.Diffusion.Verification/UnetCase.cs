using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Unet;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Verification;

/// <summary>
/// <c>unet.safetensors</c>: one UNet forward pass (<c>sample</c>, per-item <c>timestep</c>,
/// <c>encoder_hidden_states</c>) against the reference <c>out</c>, float32 on the CPU.
/// </summary>
public sealed class UnetCase : IReferenceCase
{
    public const string FileName = "unet.safetensors";

    public string Name => "unet";

    public bool IsPresent(string casesDirectory) => File.Exists(Path.Combine(casesDirectory, FileName));

    public IReadOnlyList<CaseResult> Run(string modelDirectory, string casesDirectory)
    {
        LibTorchRuntime.EnsureLoadable();
        using var cases = CaseTensors.Open(Path.Combine(casesDirectory, FileName));
        using var unet = UNet2DConditionModel.FromFolder(Path.Combine(modelDirectory, "unet"), ScalarType.Float32, CPU);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var sample = cases.RequireShape("sample", -1, unet.Config.InChannels, -1, -1);
        var timestep = cases.Require("timestep");
        if (timestep.dim() > 1 || timestep.dim() == 1 && timestep.shape[0] != sample.shape[0])
            throw new InputDataException(cases.Path, $"must be a scalar or one timestep per sample ({sample.shape[0]}).", "tensor 'timestep'");
        var context = cases.RequireShape("encoder_hidden_states", sample.shape[0], -1, unet.Config.CrossAttentionDim.Values[0]);
        var output = unet.Forward(sample, timestep, context);
        return [cases.Compare("out", output, cases.Require("out"))];
    }
}
