using SafeDiffusion.Diffusion.Clip;
using SafeDiffusion.Diffusion.ModelFolder;
using TorchSharp;
using TorchSharp.Utils;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Vision;

/// <summary>
/// diffusers' <c>StableDiffusionSafetyChecker</c> (the <c>safety_checker/</c> component of SD 1.x folders): a CLIP
/// vision tower and projection whose image embedding is compared by cosine with 17 fixed concept embeddings and 3
/// special-care embeddings, each with its own threshold. Parameter names match the checkpoint
/// (<c>vision_model.vision_model.*</c>, <c>visual_projection.weight</c>, <c>concept_embeds</c>, ...).
/// </summary>
public sealed class StableDiffusionSafetyChecker : nn.Module<Tensor, Tensor>
{
    /// <summary>Fixed by diffusers, whatever the config says.</summary>
    public const int ConceptCount = 17;
    public const int SpecialCareCount = 3;
    /// <summary>Added to every concept score of an image once a special-care concept fires.</summary>
    public const double SpecialCareAdjustment = 0.01;

    [ComponentName(Name = "vision_model")]
    private readonly CLIPVisionModel _visionModel;
    [ComponentName(Name = "visual_projection")]
    private readonly Linear _visualProjection;
    [ComponentName(Name = "concept_embeds")]
    private readonly Parameter _conceptEmbeds;
    [ComponentName(Name = "special_care_embeds")]
    private readonly Parameter _specialCareEmbeds;
    [ComponentName(Name = "concept_embeds_weights")]
    private readonly Parameter _conceptEmbedsWeights;
    [ComponentName(Name = "special_care_embeds_weights")]
    private readonly Parameter _specialCareEmbedsWeights;

    public StableDiffusionSafetyChecker(CLIPConfig config, Device? device = null, ScalarType? dtype = null) : base(nameof(StableDiffusionSafetyChecker))
    {
        Config = config;
        _visionModel = new CLIPVisionModel(config.VisionConfig, device, dtype);
        _visualProjection = nn.Linear(config.VisionConfig.HiddenSize, config.ProjectionDim, hasBias: false, device, dtype);
        _conceptEmbeds = new Parameter(torch.ones([ConceptCount, config.ProjectionDim], dtype, device), requires_grad: false);
        _specialCareEmbeds = new Parameter(torch.ones([SpecialCareCount, config.ProjectionDim], dtype, device), requires_grad: false);
        _conceptEmbedsWeights = new Parameter(torch.ones([ConceptCount], dtype, device), requires_grad: false);
        _specialCareEmbedsWeights = new Parameter(torch.ones([SpecialCareCount], dtype, device), requires_grad: false);
        RegisterComponents();
    }

    public CLIPConfig Config { get; }

    public CLIPVisionModel VisionModel => _visionModel;

    /// <summary>Loads <c>safety_checker/</c> (config.json with vision_config, model[.variant].safetensors).</summary>
    public static StableDiffusionSafetyChecker FromFolder(string safetyCheckerDirectory, ScalarType dtype, Device device, string? variant = null)
    {
        var config = CLIPConfig.Read(Path.Combine(safetyCheckerDirectory, "config.json"), validateText: false);
        return ComponentModuleLoader.Load(safetyCheckerDirectory, variant, StableDiffusionComponents.SafetyChecker, files =>
            new StableDiffusionSafetyChecker(config with
            {
                VisionConfig = CLIPVisionConfig.WithWeightShapes(config.VisionConfig, files, "vision_model.vision_model."),
            }, device, dtype));
    }

    /// <summary>The projected image embeddings [batch, projection_dim] for normalised pixel values.</summary>
    public override Tensor forward(Tensor pixelValues)
    {
        using var scope = torch.NewDisposeScope();
        using var vision = _visionModel.forward(pixelValues);
        return _visualProjection.forward(vision.PooledOutput).MoveToOuterDisposeScope();
    }

    /// <summary>Scores images given as CLIP pixel values (see <see cref="CLIPImageProcessor"/>).</summary>
    public IReadOnlyList<SafetyCheckResult> Check(Tensor pixelValues)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var embeds = forward(pixelValues);
        // diffusers computes the cosines in the model's dtype and only then casts to float32.
        var special = CosineDistance(embeds, _specialCareEmbeds).to(ScalarType.Float32).cpu();
        var concept = CosineDistance(embeds, _conceptEmbeds).to(ScalarType.Float32).cpu();
        var specialThresholds = _specialCareEmbedsWeights.to(ScalarType.Float32).cpu().data<float>().ToArray();
        var conceptThresholds = _conceptEmbedsWeights.to(ScalarType.Float32).cpu().data<float>().ToArray();
        int batch = (int)embeds.shape[0];
        var specialCos = special.data<float>().ToArray();
        var conceptCos = concept.data<float>().ToArray();

        var results = new List<SafetyCheckResult>(batch);
        for (int i = 0; i < batch; i++)
        {
            double adjustment = 0.0;
            var specialScores = new double[SpecialCareCount];
            var specialCare = new List<int>();
            for (int c = 0; c < SpecialCareCount; c++)
            {
                specialScores[c] = PythonRounding.Round(specialCos[i * SpecialCareCount + c] - (double)specialThresholds[c] + adjustment, 3);
                if (specialScores[c] > 0)
                {
                    specialCare.Add(c);
                    adjustment = SpecialCareAdjustment;
                }
            }
            var conceptScores = new double[ConceptCount];
            var bad = new List<int>();
            for (int c = 0; c < ConceptCount; c++)
            {
                conceptScores[c] = PythonRounding.Round(conceptCos[i * ConceptCount + c] - (double)conceptThresholds[c] + adjustment, 3);
                if (conceptScores[c] > 0) bad.Add(c);
            }
            results.Add(new SafetyCheckResult(conceptScores, specialScores, bad, specialCare));
        }
        return results;
    }

    /// <summary>Preprocesses RGB8 images with the folder's feature extractor settings and scores them.</summary>
    public IReadOnlyList<SafetyCheckResult> Check(IReadOnlyList<Rgb8Image> images, CLIPImageProcessor processor)
    {
        using var pixels = processor.Preprocess(images, _visualProjection.weight!.device);
        return Check(pixels);
    }

    private static Tensor CosineDistance(Tensor imageEmbeds, Tensor conceptEmbeds) =>
        nn.functional.normalize(imageEmbeds).mm(nn.functional.normalize(conceptEmbeds).t());
}
