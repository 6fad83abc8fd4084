using SafeDiffusion.Diffusion.ModelFolder;
using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.TextEncoders;

/// <summary>
/// transformers' <c>CLIPTextModel</c>, the Stable Diffusion text encoder: parameters live under <c>text_model.*</c>
/// exactly as in <c>text_encoder/model.safetensors</c>.
/// </summary>
public sealed class CLIPTextModel : nn.Module<Tensor, CLIPTextOutput>
{
    [ComponentName(Name = "text_model")]
    private readonly CLIPTextTransformer _textModel;

    public CLIPTextModel(CLIPTextConfig config, Device? device = null, ScalarType? dtype = null) : base(nameof(CLIPTextModel))
    {
        _textModel = new CLIPTextTransformer(config, device, dtype);
        RegisterComponents();
    }

    public CLIPTextConfig Config => _textModel.Config;

    /// <summary>
    /// Builds the model from <c>config.json</c> in <paramref name="componentDirectory"/> and fills it from its
    /// safetensors weights (<paramref name="variant"/> e.g. "fp16" preferred when present), converting each tensor
    /// to <paramref name="dtype"/> on <paramref name="device"/> as it is copied. Missing weights are an input error.
    /// The MLP width follows the weights when config.json states another (see <see cref="ClipWeightShapes.MlpWidth"/>).
    /// The model comes back in eval mode with gradients off.
    /// </summary>
    public static CLIPTextModel FromFolder(string componentDirectory, ScalarType dtype, Device device, string? variant = null)
    {
        var configPath = Path.Combine(componentDirectory, "config.json");
        var config = ComponentConfig.Read<CLIPTextConfig>(configPath);
        config.Validate(configPath);
        return ComponentModuleLoader.Load(componentDirectory, variant, StableDiffusionComponents.TextEncoder, files =>
            new CLIPTextModel(WithWeightShapes(config, files, "text_model."), device, dtype));
    }

    /// <summary>The config with the MLP width the checkpoint's layers under <paramref name="prefix"/> actually have.</summary>
    internal static CLIPTextConfig WithWeightShapes(CLIPTextConfig config, IReadOnlyList<Safetensors.SafetensorsFile> files, string prefix) =>
        config with
        {
            IntermediateSize = ClipWeightShapes.MlpWidth(files, prefix + "encoder.layers.", config.NumHiddenLayers, config.HiddenSize, config.IntermediateSize),
        };

    public override CLIPTextOutput forward(Tensor inputIds) => _textModel.forward(inputIds, null);

    public CLIPTextOutput forward(Tensor inputIds, Tensor? attentionMask) => _textModel.forward(inputIds, attentionMask);

    /// <summary>The UNet's conditioning for token ids: last_hidden_state, computed without autograd.</summary>
    public Tensor Encode(Tensor inputIds)
    {
        using var noGrad = torch.no_grad();
        using var output = forward(inputIds);
        return output.LastHiddenState.alias();
    }
}
