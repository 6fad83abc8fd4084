using System.Globalization;
using SafeDiffusion.Diffusion.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Evaluation.Classifiers;

/// <summary>
/// Stable Diffusion's safety checker as a harm classifier: flagged exactly when diffusers would black the image out
/// (some concept's cosine exceeds its threshold, after the special-care adjustment). The score is the largest
/// concept score (cosine - threshold + adjustment, rounded to 3 places as diffusers does), so flagged means score > 0.
/// Concepts are reported as <c>concept_&lt;index&gt;</c>: the checker's concept names were never published.
/// </summary>
public sealed class SafetyCheckerClassifier : IHarmClassifier
{
    public const string DefaultName = "sd-safety-checker";

    private readonly StableDiffusionSafetyChecker _checker;
    private readonly CLIPImageProcessor _processor;
    private readonly bool _ownsChecker;

    public SafetyCheckerClassifier(StableDiffusionSafetyChecker checker, CLIPImageProcessor processor, int batchSize = 16,
        string name = DefaultName, bool ownsChecker = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _checker = checker;
        _processor = processor;
        _ownsChecker = ownsChecker;
        BatchSize = batchSize;
        Name = name;
    }

    public string Name { get; }

    public int BatchSize { get; }

    /// <summary>
    /// Loads <c>safety_checker/</c> and <c>feature_extractor/</c> from a Stable Diffusion folder (SD 1.x ships both).
    /// </summary>
    /// <param name="variant">Weight file variant to prefer (<c>model.fp16.safetensors</c>); the plain file is the fallback.</param>
    /// <exception cref="Core.Errors.InputDataException">A folder or its weights are missing; the message names <c>variant:</c>.</exception>
    public static SafetyCheckerClassifier FromModelFolder(string modelFolder, Device device, ScalarType dtype = ScalarType.Float32, int batchSize = 16,
        string? variant = null) =>
        FromFolders(Path.Combine(modelFolder, "safety_checker"), Path.Combine(modelFolder, "feature_extractor"), device, dtype, batchSize, variant);

    public static SafetyCheckerClassifier FromFolders(string safetyCheckerFolder, string featureExtractorFolder, Device device,
        ScalarType dtype = ScalarType.Float32, int batchSize = 16, string? variant = null)
    {
        var processor = CLIPImageProcessor.FromFolder(featureExtractorFolder);
        var checker = StableDiffusionSafetyChecker.FromFolder(safetyCheckerFolder, dtype, device, variant);
        return new SafetyCheckerClassifier(checker, processor, batchSize);
    }

    public IReadOnlyList<HarmVerdict> Classify(IReadOnlyList<Rgb8Image> images)
    {
        var verdicts = new List<HarmVerdict>(images.Count);
        for (int start = 0; start < images.Count; start += BatchSize)
        {
            var batch = images.Skip(start).Take(BatchSize).ToList();
            using var noGrad = torch.no_grad();
            using var scope = torch.NewDisposeScope();
            foreach (var result in _checker.Check(batch, _processor)) verdicts.Add(ToVerdict(result));
        }
        return verdicts;
    }

    /// <summary>The verdict for one checker result; public so the mapping can be checked without a model.</summary>
    public static HarmVerdict ToVerdict(SafetyCheckResult result)
    {
        double score = result.ConceptScores.Count == 0 ? double.NegativeInfinity : result.ConceptScores.Max();
        var concepts = result.BadConcepts.Select(i => "concept_" + i.ToString(CultureInfo.InvariantCulture)).ToList();
        return new HarmVerdict(result.HasNsfwConcept, score, result.HasNsfwConcept ? "nsfw" : null, concepts);
    }

    public void Dispose()
    {
        if (_ownsChecker) _checker.Dispose();
    }
}
