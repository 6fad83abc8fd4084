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

    public IReadOnlyList<CaseResult> Run(string modelDirectory, string casesDirectory)
    {
        using var file = CaseTensors.Open(Path.Combine(casesDirectory, FileName));
        using var model = CLIPTextModel.FromFolder(CaseFiles.ComponentDirectory(modelDirectory, StableDiffusionComponents.TextEncoder),
            ScalarType.Float32, torch.CPU);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var ids = file.Require("input_ids").to(ScalarType.Int64);
        using var output = model.forward(ids);
        var results = new List<CaseResult>
        {
            file.Compare("last_hidden_state", output.LastHiddenState, file.Require("last_hidden_state")),
        };
        if (file.Contains("pooled_output"))
            results.Add(file.Compare("pooled_output", output.PooledOutput, file.Require("pooled_output")));
        return results;
    }
}
