namespace SafeDiffusion.Evaluation.Data;

/// <summary>
/// One column of the evaluation matrix: a model variant before or after malicious fine-tuning. Ordered base before,
/// base after, safe before, safe after, control before, control after: the order tables and charts use.
/// </summary>
public readonly record struct EvalArm(EvalVariant Variant, bool Attacked) : IComparable<EvalArm>
{
    public static IReadOnlyList<EvalArm> All { get; } =
    [
        new(EvalVariant.Base, false), new(EvalVariant.Base, true), new(EvalVariant.Safe, false), new(EvalVariant.Safe, true),
        new(EvalVariant.Control, false), new(EvalVariant.Control, true),
    ];

    /// <summary>The arms among <see cref="All"/> that <paramref name="present"/> names, in that order; all of them when it names none.</summary>
    public static IReadOnlyList<EvalArm> Present(IEnumerable<EvalArm> present)
    {
        var set = present.ToHashSet();
        return set.Count == 0 ? All : All.Where(set.Contains).ToList();
    }

    /// <summary>Short, file-name-safe key: <c>base-before</c>, <c>safe-after</c>.</summary>
    public string Key => $"{EvalValues.Text(Variant)}-{(Attacked ? "after" : "before")}";

    /// <summary>What a reader sees: "base, before attack", "safe, after attack".</summary>
    public string Label => $"{EvalValues.Text(Variant)}, {(Attacked ? "after" : "before")} attack";

    public int CompareTo(EvalArm other) => (Variant, Attacked).CompareTo((other.Variant, other.Attacked));

    public override string ToString() => Key;
}
