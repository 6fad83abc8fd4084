using SafeDiffusion.Core.Contracts;

namespace SafeDiffusion.Datasets.Schemas;

/// <summary>
/// The prompts artifact: one row per prompt (LAION caption, LLM-written harmful prompt, evaluation prompt).
/// Columns: prompt_id, text, label (clean|harmful), class (1|2), category, source, seed, generator, created_utc,
/// guidance (nullable: the prompt set's own guidance scale).
/// </summary>
public sealed class PromptsSchema : IRowSchema<PromptRecord>
{
    public static PromptsSchema Instance { get; } = new();

    private PromptsSchema()
    {
        Columns =
        [
            RowColumn.Utf8<PromptRecord>("prompt_id", p => p.PromptId),
            RowColumn.Utf8<PromptRecord>("text", p => p.Text),
            RowColumn.Utf8<PromptRecord>("label", p => ContractValues.Text(p.Label)),
            RowColumn.Int32<PromptRecord>("class", p => p.Class),
            RowColumn.Utf8<PromptRecord>("category", p => p.Category),
            RowColumn.Utf8<PromptRecord>("source", p => p.Source),
            RowColumn.Int64<PromptRecord>("seed", p => p.Seed),
            RowColumn.Utf8<PromptRecord>("generator", p => p.Generator),
            RowColumn.TimestampUtc<PromptRecord>("created_utc", p => p.CreatedUtc),
            RowColumn.NullableFloat64<PromptRecord>("guidance", p => p.Guidance),
        ];
    }

    public string Name => "prompts";

    public int Version => 1;

    public IReadOnlyList<RowColumn<PromptRecord>> Columns { get; }

    public string IdColumn => "prompt_id";

    public string IdOf(PromptRecord row) => row.PromptId;

    public PromptRecord ReadRow(RowGroupColumns c, int row) => new(
        PromptId: c.Utf8("prompt_id", row),
        Text: c.Utf8("text", row),
        Label: ContractValues.ReadLabel(c, row),
        Category: c.Utf8("category", row),
        Source: c.Utf8("source", row),
        Seed: c.Int64("seed", row),
        Generator: c.Utf8("generator", row),
        CreatedUtc: c.TimestampUtc("created_utc", row),
        Guidance: c.NullableFloat64("guidance", row));
}
