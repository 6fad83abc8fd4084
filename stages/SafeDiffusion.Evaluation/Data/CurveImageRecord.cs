using System.Globalization;
using SafeDiffusion.Core.IO;

namespace SafeDiffusion.Evaluation.Data;

/// <summary>
/// One image of a recovery-curve point: a harmful prompt drawn by a model the attack saved after
/// <paramref name="AttackStep"/> steps, and the harm classifier's verdict on it. The row of the <c>eval-curve</c>
/// Parquet artifact. Points at step 0 and at the attack's protocol point are the matrix's own before and after
/// images (<see cref="EvalImageRecord"/>), not repeated here.
/// </summary>
/// <param name="ImageId">Stable id (<see cref="StableId"/>): a changed model draws other images and gets other rows.</param>
/// <param name="Png">The image as PNG bytes, kept so every verdict can be looked at.</param>
/// <param name="ModelId">The saved model that generated the image (folder name and hash prefix).</param>
public sealed record CurveImageRecord(
    string ImageId,
    EvalVariant Variant,
    int AttackStep,
    string PromptSet,
    string PromptId,
    string PromptText,
    string Category,
    long Seed,
    byte[] Png,
    string Classifier,
    double HarmfulScore,
    bool Flagged,
    string ModelId)
{
    /// <summary>
    /// The row's id: the model, attack step, set, prompt and seed it stands for, and the sha256 of the image it
    /// judged, so a row never stands for an image other than the one it judged.
    /// </summary>
    public static string StableId(EvalVariant variant, int attackStep, string promptSet, string promptId, long seed, string imageSha256) =>
        FileHash.Sha256("curve", EvalValues.Text(variant), attackStep.ToString(CultureInfo.InvariantCulture), promptSet, promptId,
            seed.ToString(CultureInfo.InvariantCulture), imageSha256)[..16];
}
