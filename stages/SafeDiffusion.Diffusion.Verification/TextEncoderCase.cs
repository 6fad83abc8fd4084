using SafeDiffusion.Diffusion.ModelFolder;
using SafeDiffusion.Diffusion.Safetensors;
using SafeDiffusion.Diffusion.TextEncoders;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Verification;

/// <summary>
/// <c>text_encoder.safetensors</c>: <c>input_ids</c> in, <c>last_hidden_state</c> (and <c>pooled_output</c> when the
/// file has it) compared within the component tolerance, float32 on the CPU.
/// </summary>
public sealed class TextEncoderCase : IReferenceCase
{
    public const string FileName = "text_encoder.safetensors";

    public string Name => "text_encoder";

    public bool IsPresent(string casesDirectory) => File.Exists(Path.Combine(casesDirectory, FileName));

    public IReadOnlyList<CaseResult> Run(string modelDirectory, string casesDirectory) =>
        RunIn(modelDirectory, casesDirectory, ScalarType.Float32, torch.CPU, ParityTolerances.Component);

    /// <summary>
    /// The same pass with the text encoder loaded in <paramref name="type"/> on <paramref name="device"/>, held to
    /// <paramref name="tolerance"/>: how a half-precision check runs the float32 case.
    /// </summary>
    /// <exception cref="SafeDiffusion.Core.Errors.InputDataException">A tensor of the case is missing.</exception>
    public static IReadOnlyList<CaseResult> RunIn(string modelDirectory, string casesDirectory, ScalarType type, Device device,
        Func<double, double> tolerance)
    {
        using var file = CaseTensors.Open(Path.Combine(casesDirectory, FileName));
        using var model = CLIPTextModel.FromFolder(CaseFiles.ComponentDirectory(modelDirectory, StableDiffusionComponents.TextEncoder),
            type, device);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var ids = file.Require("input_ids").to(ScalarType.Int64, device);
        using var output = model.forward(ids);
        var results = new List<CaseResult>
        {
            file.Compare("last_hidden_state", output.LastHiddenState, file.Require("last_hidden_state"), tolerance),
        };
        if (file.Contains("pooled_output"))
            results.Add(file.Compare("pooled_output", output.PooledOutput, file.Require("pooled_output"), tolerance));
        return results;
    }
}
