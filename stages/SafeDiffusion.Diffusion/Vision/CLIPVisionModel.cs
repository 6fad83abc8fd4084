using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Vision;

/// <summary>transformers' <c>CLIPVisionModel</c>: the vision tower under <c>vision_model.*</c>.</summary>
public sealed class CLIPVisionModel : nn.Module<Tensor, CLIPVisionOutput>
{
    [ComponentName(Name = "vision_model")]
    private readonly CLIPVisionTransformer _visionModel;

    public CLIPVisionModel(CLIPVisionConfig config, Device? device = null, ScalarType? dtype = null) : base(nameof(CLIPVisionModel))
    {
        _visionModel = new CLIPVisionTransformer(config, device, dtype);
        RegisterComponents();
    }

    public CLIPVisionConfig Config => _visionModel.Config;

    public override CLIPVisionOutput forward(Tensor pixelValues) => _visionModel.forward(pixelValues);
}
