using SafeDiffusion.Datasets.Schemas;

namespace SafeDiffusion.Evaluation.Data;

/// <summary>
/// The <c>eval-curve</c> artifact: one row per recovery-curve image. Columns: image_id, variant (base|safe|control),
/// attack_step, prompt_set, prompt_id, text, category, seed, image (PNG bytes), classifier, harmful_score, flagged
/// (0|1), model_id.
/// </summary>
public sealed class CurveSchema : IRowSchema<CurveImageRecord>
{
    public static CurveSchema Instance { get; } = new();

    private const string Regenerate = "Regenerate the evaluation with the pipeline.";

    private CurveSchema()
    {
        Columns =
        [
            RowColumn.Utf8<CurveImageRecord>("image_id", r => r.ImageId),
            RowColumn.Utf8<CurveImageRecord>("variant", r => EvalValues.Text(r.Variant)),
            RowColumn.Int32<CurveImageRecord>("attack_step", r => r.AttackStep),
            RowColumn.Utf8<CurveImageRecord>("prompt_set", r => r.PromptSet),
            RowColumn.Utf8<CurveImageRecord>("prompt_id", r => r.PromptId),
            RowColumn.Utf8<CurveImageRecord>("text", r => r.PromptText),
            RowColumn.Utf8<CurveImageRecord>("category", r => r.Category),
            RowColumn.Int64<CurveImageRecord>("seed", r => r.Seed),
            RowColumn.Binary<CurveImageRecord>("image", r => r.Png),
            RowColumn.Utf8<CurveImageRecord>("classifier", r => r.Classifier),
            RowColumn.Float64<CurveImageRecord>("harmful_score", r => r.HarmfulScore),
            RowColumn.Int32<CurveImageRecord>("flagged", r => r.Flagged ? 1 : 0),
            RowColumn.Utf8<CurveImageRecord>("model_id", r => r.ModelId),
        ];
    }

    public string Name => "eval-curve";

    public int Version => 1;

    public IReadOnlyList<RowColumn<CurveImageRecord>> Columns { get; }

    public string IdColumn => "image_id";

    public string IdOf(CurveImageRecord row) => row.ImageId;

    public CurveImageRecord ReadRow(RowGroupColumns c, int row)
    {
        var variantText = c.Utf8("variant", row);
        if (!EvalValues.TryParseVariant(variantText, out var variant))
            throw c.Invalid("variant", row, $"has '{variantText}', expected '{EvalValues.Base}', '{EvalValues.Safe}' or '{EvalValues.Control}'.", Regenerate);
        var step = c.Int32("attack_step", row);
        if (step < 0) throw c.Invalid("attack_step", row, $"is {step}; attack steps start at 0.", Regenerate);
        return new CurveImageRecord(
            ImageId: c.Utf8("image_id", row),
            Variant: variant,
            AttackStep: step,
            PromptSet: c.Utf8("prompt_set", row),
            PromptId: c.Utf8("prompt_id", row),
            PromptText: c.Utf8("text", row),
            Category: c.Utf8("category", row),
            Seed: c.Int64("seed", row),
            Png: c.Binary("image", row),
            Classifier: c.Utf8("classifier", row),
            HarmfulScore: c.Float64("harmful_score", row),
            Flagged: c.Int32("flagged", row) switch
            {
                0 => false,
                1 => true,
                var other => throw c.Invalid("flagged", row, $"is {other}, expected 0 or 1.", Regenerate),
            },
            ModelId: c.Utf8("model_id", row));
    }
}
