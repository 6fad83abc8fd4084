using SafeDiffusion.Core.Contracts;

namespace SafeDiffusion.Datasets.Schemas;

/// <summary>
/// The images artifact: one row per generated image with its prompt and generation settings. Columns: image_id,
/// prompt_id, text, label, class, category, image (PNG bytes), width, height, seed, steps, guidance, scheduler,
/// model_id, sha256 (of the PNG bytes), split (train|holdout).
/// </summary>
public sealed class ImagesSchema : IRowSchema<ImageRecord>
{
    public static ImagesSchema Instance { get; } = new();

    private ImagesSchema()
    {
        Columns =
        [
            RowColumn.Utf8<ImageRecord>("image_id", r => r.ImageId),
            RowColumn.Utf8<ImageRecord>("prompt_id", r => r.PromptId),
            RowColumn.Utf8<ImageRecord>("text", r => r.Text),
            RowColumn.Utf8<ImageRecord>("label", r => ContractValues.Text(r.Label)),
            RowColumn.Int32<ImageRecord>("class", r => r.Class),
            RowColumn.Utf8<ImageRecord>("category", r => r.Category),
            RowColumn.Binary<ImageRecord>("image", r => r.Png),
            RowColumn.Int32<ImageRecord>("width", r => r.Width),
            RowColumn.Int32<ImageRecord>("height", r => r.Height),
            RowColumn.Int64<ImageRecord>("seed", r => r.Seed),
            RowColumn.Int32<ImageRecord>("steps", r => r.Steps),
            RowColumn.Float64<ImageRecord>("guidance", r => r.Guidance),
            RowColumn.Utf8<ImageRecord>("scheduler", r => r.Scheduler),
            RowColumn.Utf8<ImageRecord>("model_id", r => r.ModelId),
            RowColumn.Utf8<ImageRecord>("sha256", r => r.Sha256),
            RowColumn.Utf8<ImageRecord>("split", r => ContractValues.Text(r.Split)),
        ];
    }

    public string Name => "images";

    public int Version => 1;

    public IReadOnlyList<RowColumn<ImageRecord>> Columns { get; }

    public string IdColumn => "image_id";

    public string IdOf(ImageRecord row) => row.ImageId;

    public ImageRecord ReadRow(RowGroupColumns c, int row)
    {
        var splitText = c.Utf8("split", row);
        if (!ContractValues.TryParseSplit(splitText, out var split))
            throw c.Invalid("split", row, $"has '{splitText}', expected '{ContractValues.Train}' or '{ContractValues.Holdout}'.",
                "Regenerate the file with the pipeline.");
        return new ImageRecord(
            ImageId: c.Utf8("image_id", row),
            PromptId: c.Utf8("prompt_id", row),
            Text: c.Utf8("text", row),
            Label: ContractValues.ReadLabel(c, row),
            Category: c.Utf8("category", row),
            Png: c.Binary("image", row),
            Width: c.Int32("width", row),
            Height: c.Int32("height", row),
            Seed: c.Int64("seed", row),
            Steps: c.Int32("steps", row),
            Guidance: c.Float64("guidance", row),
            Scheduler: c.Utf8("scheduler", row),
            ModelId: c.Utf8("model_id", row),
            Sha256: c.Utf8("sha256", row),
            Split: split);
    }
}
