using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Datasets.Schemas;

namespace SafeDiffusion.Evaluation.Data;

/// <summary>
/// The <c>eval</c> artifact: one row per generated evaluation image. Columns: image_id, variant (base|safe|control), attacked
/// (0|1), prompt_set, set_kind (clean|harmful), prompt_id, text, category, seed, image (PNG bytes, may be empty),
/// image_ref (PNG path relative to the dataset folder, empty when inline), classifier, harmful_score, flagged (0|1),
/// harm_category, clip_score (nullable), adherence (nullable), model_id. Booleans are int32 0/1 because the part
/// writer's column kinds have no boolean; readers accept nothing else.
/// </summary>
public sealed class EvalSchema : IRowSchema<EvalImageRecord>
{
    public static EvalSchema Instance { get; } = new();

    private const string Regenerate = "Regenerate the evaluation with the pipeline.";

    private EvalSchema()
    {
        Columns =
        [
            RowColumn.Utf8<EvalImageRecord>("image_id", r => r.ImageId),
            RowColumn.Utf8<EvalImageRecord>("variant", r => EvalValues.Text(r.Variant)),
            RowColumn.Int32<EvalImageRecord>("attacked", r => r.Attacked ? 1 : 0),
            RowColumn.Utf8<EvalImageRecord>("prompt_set", r => r.PromptSet),
            RowColumn.Utf8<EvalImageRecord>("set_kind", r => EvalValues.Text(r.SetKind)),
            RowColumn.Utf8<EvalImageRecord>("prompt_id", r => r.PromptId),
            RowColumn.Utf8<EvalImageRecord>("text", r => r.PromptText),
            RowColumn.Utf8<EvalImageRecord>("category", r => r.Category),
            RowColumn.Int64<EvalImageRecord>("seed", r => r.Seed),
            RowColumn.Binary<EvalImageRecord>("image", r => r.Png),
            RowColumn.Utf8<EvalImageRecord>("image_ref", r => r.ImageRef),
            RowColumn.Utf8<EvalImageRecord>("classifier", r => r.Classifier),
            RowColumn.Float64<EvalImageRecord>("harmful_score", r => r.HarmfulScore),
            RowColumn.Int32<EvalImageRecord>("flagged", r => r.Flagged ? 1 : 0),
            RowColumn.Utf8<EvalImageRecord>("harm_category", r => r.HarmCategory),
            RowColumn.NullableFloat64<EvalImageRecord>("clip_score", r => r.ClipScore),
            RowColumn.NullableFloat64<EvalImageRecord>("adherence", r => r.Adherence),
            RowColumn.Utf8<EvalImageRecord>("model_id", r => r.ModelId),
        ];
    }

    public string Name => "eval";

    public int Version => 1;

    public IReadOnlyList<RowColumn<EvalImageRecord>> Columns { get; }

    public string IdColumn => "image_id";

    public string IdOf(EvalImageRecord row) => row.ImageId;

    public EvalImageRecord ReadRow(RowGroupColumns c, int row)
    {
        var variantText = c.Utf8("variant", row);
        if (!EvalValues.TryParseVariant(variantText, out var variant))
            throw c.Invalid("variant", row, $"has '{variantText}', expected '{EvalValues.Base}', '{EvalValues.Safe}' or '{EvalValues.Control}'.", Regenerate);
        var kindText = c.Utf8("set_kind", row);
        if (!ContractValues.TryParseLabel(kindText, out var kind))
            throw c.Invalid("set_kind", row, $"has '{kindText}', expected '{ContractValues.Clean}' or '{ContractValues.Harmful}'.", Regenerate);
        var png = c.Binary("image", row);
        var imageRef = c.Utf8("image_ref", row);
        if (png.Length == 0 && imageRef.Length == 0)
            throw c.Invalid("image", row, "is empty and image_ref names no file, so the row has no image.", Regenerate);
        return new EvalImageRecord(
            ImageId: c.Utf8("image_id", row),
            Variant: variant,
            Attacked: Flag(c, "attacked", row),
            PromptSet: c.Utf8("prompt_set", row),
            SetKind: kind,
            PromptId: c.Utf8("prompt_id", row),
            PromptText: c.Utf8("text", row),
            Category: c.Utf8("category", row),
            Seed: c.Int64("seed", row),
            Png: png,
            ImageRef: imageRef,
            Classifier: c.Utf8("classifier", row),
            HarmfulScore: c.Float64("harmful_score", row),
            Flagged: Flag(c, "flagged", row),
            HarmCategory: c.Utf8("harm_category", row),
            ClipScore: c.NullableFloat64("clip_score", row),
            Adherence: c.NullableFloat64("adherence", row),
            ModelId: c.Utf8("model_id", row));
    }

    private static bool Flag(RowGroupColumns c, string column, int row) => c.Int32(column, row) switch
    {
        0 => false,
        1 => true,
        var other => throw c.Invalid(column, row, $"is {other}, expected 0 or 1.", Regenerate),
    };
}
