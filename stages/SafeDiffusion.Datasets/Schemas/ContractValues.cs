using SafeDiffusion.Core.Contracts;

namespace SafeDiffusion.Datasets.Schemas;

/// <summary>How the contract enums are spelled in the files: lower-case words any tool can filter on.</summary>
public static class ContractValues
{
    public const string Clean = "clean";
    public const string Harmful = "harmful";
    public const string Train = "train";
    public const string Holdout = "holdout";

    public static string Text(PromptLabel label) => label switch
    {
        PromptLabel.Clean => Clean,
        PromptLabel.Harmful => Harmful,
        _ => throw new ArgumentOutOfRangeException(nameof(label), label, "not a prompt label"),
    };

    public static string Text(DatasetSplit split) => split switch
    {
        DatasetSplit.Train => Train,
        DatasetSplit.Holdout => Holdout,
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, "not a dataset split"),
    };

    public static bool TryParseLabel(string text, out PromptLabel label)
    {
        (bool ok, label) = text switch
        {
            Clean => (true, PromptLabel.Clean),
            Harmful => (true, PromptLabel.Harmful),
            _ => (false, default),
        };
        return ok;
    }

    public static bool TryParseSplit(string text, out DatasetSplit split)
    {
        (bool ok, split) = text switch
        {
            Train => (true, DatasetSplit.Train),
            Holdout => (true, DatasetSplit.Holdout),
            _ => (false, default),
        };
        return ok;
    }

    /// <summary>Reads label and class together: they must agree (class 1 is clean, class 2 harmful).</summary>
    internal static PromptLabel ReadLabel(RowGroupColumns columns, int row)
    {
        var text = columns.Utf8("label", row);
        if (!TryParseLabel(text, out var label))
            throw columns.Invalid("label", row, $"has '{text}', expected '{Clean}' or '{Harmful}'.", "Regenerate the file with the pipeline.");
        var cls = columns.Int32("class", row);
        if (cls != (int)label)
            throw columns.Invalid("class", row, $"is {cls} but label is '{text}' (class {(int)label}).", "Regenerate the file with the pipeline.");
        return label;
    }
}
