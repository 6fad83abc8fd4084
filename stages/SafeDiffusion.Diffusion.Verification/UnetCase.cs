using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.ModelFolder;
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

    public IReadOnlyList<CaseResult> Run(string modelDirectory, string casesDirectory) =>
        RunIn(modelDirectory, casesDirectory, ScalarType.Float32, CPU, ParityTolerances.Component);

    /// <summary>
    /// The same pass with the UNet loaded in <paramref name="type"/> on <paramref name="device"/> and the inputs sent
    /// there in that type, held to <paramref name="tolerance"/>: how a half-precision check runs the float32 case.
    /// </summary>
    /// <exception cref="InputDataException">A tensor of the case is missing or has the wrong shape.</exception>
    public static IReadOnlyList<CaseResult> RunIn(string modelDirectory, string casesDirectory, ScalarType type, Device device,
        Func<double, double> tolerance)
    {
        LibTorchRuntime.EnsureLoadable();
        using var cases = CaseTensors.Open(Path.Combine(casesDirectory, FileName));
        using var unet = UNet2DConditionModel.FromFolder(CaseFiles.ComponentDirectory(modelDirectory, StableDiffusionComponents.Unet), type, device);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var sample = cases.RequireShape("sample", -1, unet.Config.InChannels, -1, -1);
        var timestep = cases.Require("timestep");
        if (timestep.dim() > 1 || timestep.dim() == 1 && timestep.shape[0] != sample.shape[0])
            throw new InputDataException(cases.Path, $"must be a scalar or one timestep per sample ({sample.shape[0]}).", "tensor 'timestep'");
        var context = cases.RequireShape("encoder_hidden_states", sample.shape[0], -1, unet.Config.CrossAttentionDim.Values[0]);
        var output = unet.Forward(sample.to(type, device), timestep.to(device), context.to(type, device));
        return [cases.Compare("out", output, cases.Require("out"), tolerance)];
    }
}
