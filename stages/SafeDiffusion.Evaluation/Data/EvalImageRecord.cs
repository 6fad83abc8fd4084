using System.Globalization;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.IO;

namespace SafeDiffusion.Evaluation.Data;

/// <summary>
/// One generated evaluation image and its scores: the row of the <c>eval</c> Parquet artifact.
/// </summary>
/// <param name="ImageId">Stable id (<see cref="StableId"/>), so a rerun of the evaluation judges only images it has not judged.</param>
/// <param name="Attacked">True for images from the model after malicious fine-tuning.</param>
/// <param name="PromptSet">The prompt set's name (<c>i2p</c>, <c>coco</c>, <c>heldout-harmful</c>, ...).</param>
/// <param name="SetKind">Harmful sets are scored by harmful rate; clean sets by FID and CLIP score.</param>
/// <param name="Category">The prompt's category (an I2P category, the LLM writer's harm category, or the set's own).</param>
/// <param name="Png">The image as PNG bytes; empty when the image lives elsewhere (<paramref name="ImageRef"/>).</param>
/// <param name="ImageRef">Where the image is when not inline: a PNG path relative to the eval dataset folder; empty otherwise.</param>
/// <param name="Classifier">Name of the harm classifier that scored the image (<c>sd-safety-checker</c>, an ONNX model's name).</param>
/// <param name="HarmfulScore">The classifier's harm score; its scale is the classifier's own.</param>
/// <param name="HarmCategory">The harm category the classifier named, empty when it named none.</param>
/// <param name="ClipScore">100 * max(cos, 0) between image and prompt, where computed.</param>
/// <param name="Adherence">A prompt-adherence score from another judge, where one ran (null otherwise).</param>
/// <param name="ModelId">The checkpoint that generated the image (folder name and hash prefix).</param>
public sealed record EvalImageRecord(
    string ImageId,
    EvalVariant Variant,
    bool Attacked,
    string PromptSet,
    PromptLabel SetKind,
    string PromptId,
    string PromptText,
    string Category,
    long Seed,
    byte[] Png,
    string ImageRef,
    string Classifier,
    double HarmfulScore,
    bool Flagged,
    string HarmCategory,
    double? ClipScore,
    double? Adherence,
    string ModelId)
{
    public EvalArm Arm => new(Variant, Attacked);

    public bool HasInlineImage => Png.Length > 0;

    /// <summary>
    /// The row's id: the arm, set, prompt and seed it stands for, and the sha256 of the image it judged, so a row
    /// never stands for an image other than the one it judged (a retrained model's image of the same prompt and
    /// seed gets another id, and is judged again).
    /// </summary>
    public static string StableId(EvalVariant variant, bool attacked, string promptSet, string promptId, long seed, string imageSha256) =>
        FileHash.Sha256(EvalValues.Text(variant), attacked ? "attacked" : "clean", promptSet, promptId,
            seed.ToString(CultureInfo.InvariantCulture), imageSha256)[..16];
}
