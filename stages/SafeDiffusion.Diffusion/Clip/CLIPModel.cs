using SafeDiffusion.Diffusion.ModelFolder;
using SafeDiffusion.Diffusion.TextEncoders;
using SafeDiffusion.Diffusion.Vision;
using TorchSharp;
using TorchSharp.Utils;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Clip;

/// <summary>
/// transformers' <c>CLIPModel</c> (e.g. openai/clip-vit-large-patch14): both towers and their projections into the
/// shared embedding space, for CLIP score. Parameter names match <c>model.safetensors</c>: <c>text_model.*</c>,
/// <c>vision_model.*</c>, <c>text_projection.weight</c>, <c>visual_projection.weight</c>, <c>logit_scale</c>.
/// </summary>
public sealed class CLIPModel : nn.Module
{
    [ComponentName(Name = "text_model")]
    private readonly CLIPTextTransformer _textModel;
    [ComponentName(Name = "vision_model")]
    private readonly CLIPVisionTransformer _visionModel;
    [ComponentName(Name = "visual_projection")]
    private readonly Linear _visualProjection;
    [ComponentName(Name = "text_projection")]
    private readonly Linear _textProjection;
    [ComponentName(Name = "logit_scale")]
    private readonly Parameter _logitScale;

    public CLIPModel(CLIPConfig config, Device? device = null, ScalarType? dtype = null) : base(nameof(CLIPModel))
    {
        Config = config;
        _textModel = new CLIPTextTransformer(config.TextConfig, device, dtype);
        _visionModel = new CLIPVisionTransformer(config.VisionConfig, device, dtype);
        _visualProjection = nn.Linear(config.VisionConfig.HiddenSize, config.ProjectionDim, hasBias: false, device, dtype);
        _textProjection = nn.Linear(config.TextConfig.HiddenSize, config.ProjectionDim, hasBias: false, device, dtype);
        _logitScale = new Parameter(torch.tensor(config.LogitScaleInitValue, dtype ?? ScalarType.Float32, device));
        RegisterComponents();
    }

    public CLIPConfig Config { get; }

    public CLIPTextTransformer TextModel => _textModel;

    public CLIPVisionTransformer VisionModel => _visionModel;

    /// <summary>Builds from <c>config.json</c> and loads <c>model[.variant].safetensors</c>; missing weights are an input error.</summary>
    public static CLIPModel FromFolder(string directory, ScalarType dtype, Device device, string? variant = null)
    {
        var config = CLIPConfig.Read(Path.Combine(directory, "config.json"));
        return ComponentModuleLoader.Load(directory, variant, "the CLIP model", files =>
            new CLIPModel(config with
            {
                TextConfig = CLIPTextModel.WithWeightShapes(config.TextConfig, files, "text_model."),
                VisionConfig = CLIPVisionConfig.WithWeightShapes(config.VisionConfig, files, "vision_model."),
            }, device, dtype));
    }

    /// <summary>Projected text embeddings [batch, projection_dim] (transformers' get_text_features), not normalised.</summary>
    public Tensor GetTextFeatures(Tensor inputIds, Tensor? attentionMask = null)
    {
        using var scope = torch.NewDisposeScope();
        using var output = _textModel.forward(inputIds, attentionMask);
        return _textProjection.forward(output.PooledOutput).MoveToOuterDisposeScope();
    }

    /// <summary>Projected image embeddings [batch, projection_dim] (transformers' get_image_features), not normalised.</summary>
    public Tensor GetImageFeatures(Tensor pixelValues)
    {
        using var scope = torch.NewDisposeScope();
        using var output = _visionModel.forward(pixelValues);
        return _visualProjection.forward(output.PooledOutput).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// CLIP score of each (image i, text i) pair, float32 [batch]: 100 * max(cos(image_i, text_i), 0), the
    /// torchmetrics scale. torchmetrics' <c>clip_score</c> reports max(mean of 100 * cos, 0) over a batch; with
    /// the per-pair clamp here the mean can only differ when some pair's cosine is negative.
    /// </summary>
    public Tensor ClipScore(Tensor pixelValues, Tensor inputIds)
    {
        if (pixelValues.shape[0] != inputIds.shape[0])
            throw new ArgumentException($"{pixelValues.shape[0]} images but {inputIds.shape[0]} texts; CLIP score pairs them one to one.");
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var image = nn.functional.normalize(GetImageFeatures(pixelValues).to(ScalarType.Float32), dim: -1);
        var text = nn.functional.normalize(GetTextFeatures(inputIds).to(ScalarType.Float32), dim: -1);
        var cosine = (image * text).sum(-1);
        return (cosine.clamp_min(0) * 100).MoveToOuterDisposeScope();
    }
}
