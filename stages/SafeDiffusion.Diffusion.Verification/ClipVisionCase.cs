using SafeDiffusion.Diffusion.ModelFolder;
using SafeDiffusion.Diffusion.Safetensors;
using SafeDiffusion.Diffusion.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Verification;

/// <summary>
/// <c>clip_vision.safetensors</c>: the safety checker's CLIP vision tower on <c>pixel_values</c>, compared on
/// <c>last_hidden_state</c>, <c>pooled_output</c> and <c>image_embeds</c> (whichever the file holds). The model
/// folder is the one holding <c>safety_checker/</c>.
/// </summary>
public sealed class ClipVisionCase : IReferenceCase
{
    public const string FileName = "clip_vision.safetensors";

    public string Name => "clip_vision";

    public bool IsPresent(string casesDirectory) => File.Exists(Path.Combine(casesDirectory, FileName));

    public IReadOnlyList<CaseResult> Run(string modelDirectory, string casesDirectory)
    {
        using var file = CaseTensors.Open(Path.Combine(casesDirectory, FileName));
        using var checker = StableDiffusionSafetyChecker.FromFolder(
            CaseFiles.ComponentDirectory(modelDirectory, StableDiffusionComponents.SafetyChecker), ScalarType.Float32, torch.CPU);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var pixels = file.Require("pixel_values").to(ScalarType.Float32);
        using var vision = checker.VisionModel.forward(pixels);
        var results = new List<CaseResult>();
        if (file.Contains("last_hidden_state"))
            results.Add(file.Compare("last_hidden_state", vision.LastHiddenState, file.Require("last_hidden_state")));
        if (file.Contains("pooled_output"))
            results.Add(file.Compare("pooled_output", vision.PooledOutput, file.Require("pooled_output")));
        if (file.Contains("image_embeds"))
            results.Add(file.Compare("image_embeds", checker.forward(pixels), file.Require("image_embeds")));
        if (results.Count == 0)
            throw new Core.Errors.InputDataException(file.Path, "has pixel_values but no expected output (last_hidden_state, pooled_output, image_embeds).");
        return results;
    }
}
