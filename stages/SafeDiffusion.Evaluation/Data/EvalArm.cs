namespace SafeDiffusion.Evaluation.Data;

/// <summary>
/// One column of the evaluation matrix: a model variant before or after malicious fine-tuning. Ordered base before,
/// base after, safe before, safe after, the order tables and charts use.
/// </summary>
public readonly record struct EvalArm(EvalVariant Variant, bool Attacked) : IComparable<EvalArm>
{
    public static IReadOnlyList<EvalArm> All { get; } =
    [
        new(EvalVariant.Base, false), new(EvalVariant.Base, true), new(EvalVariant.Safe, false), new(EvalVariant.Safe, true),
    ];

    /// <summary>Short, file-name-safe key: <c>base-before</c>, <c>safe-after</c>.</summary>
    public string Key => $"{EvalValues.Text(Variant)}-{(Attacked ? "after" : "before")}";

    /// <summary>What a reader sees: "base, before attack", "safe, after attack".</summary>
    public string Label => $"{EvalValues.Text(Variant)}, {(Attacked ? "after" : "before")} attack";

    public int CompareTo(EvalArm other) => (Variant, Attacked).CompareTo((other.Variant, other.Attacked));

    public override string ToString() => Key;
}
