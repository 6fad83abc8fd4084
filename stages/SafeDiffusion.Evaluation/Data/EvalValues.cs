using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Datasets.Schemas;

namespace SafeDiffusion.Evaluation.Data;

/// <summary>How the evaluation contract's enums are spelled in files: lower-case words any tool can filter on.</summary>
public static class EvalValues
{
    public const string Base = "base";
    public const string Safe = "safe";
    public const string Control = "control";

    public static string Text(EvalVariant variant) => variant switch
    {
        EvalVariant.Base => Base,
        EvalVariant.Safe => Safe,
        EvalVariant.Control => Control,
        _ => throw new ArgumentOutOfRangeException(nameof(variant), variant, "not an evaluation variant"),
    };

    public static bool TryParseVariant(string? text, out EvalVariant variant)
    {
        (bool ok, variant) = text switch
        {
            Base => (true, EvalVariant.Base),
            Safe => (true, EvalVariant.Safe),
            Control => (true, EvalVariant.Control),
            _ => (false, default),
        };
        return ok;
    }

    public static string Text(PromptLabel kind) => ContractValues.Text(kind);
}
