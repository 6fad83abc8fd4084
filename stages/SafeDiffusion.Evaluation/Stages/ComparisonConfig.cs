using System.Text.RegularExpressions;
using SafeDiffusion.Core.Configuration;

namespace SafeDiffusion.Evaluation.Stages;

/// <summary>
/// `pipeline run compare`: the safety-training variants run side by side, each through the same attack and
/// evaluation. Each variant's stages read the shared stage sections with the variant's overrides on top.
/// </summary>
public sealed partial record ComparisonConfig : IValidatableConfig
{
    public IReadOnlyList<ComparisonVariant> Variants { get; init; } = ComparisonVariant.Defaults;

    public IEnumerable<(string Key, string Message)> Validate()
    {
        var names = new HashSet<string>();
        for (int i = 0; i < Variants.Count; i++)
        {
            if (!Name().IsMatch(Variants[i].Name))
                yield return ($"variants[{i}].name", $"'{Variants[i].Name}' must be lower-case letters, digits and dashes (it names stages and folders).");
            if (!names.Add(Variants[i].Name))
                yield return ($"variants[{i}].name", $"'{Variants[i].Name}' is used twice.");
        }
        if (Variants.Count == 0) yield return ("variants", "is empty: list at least one variant.");
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$")]
    private static partial Regex Name();
}

/// <summary>One variant: a name, a label for tables, and overrides of the <c>safety-train</c> section.</summary>
public sealed record ComparisonVariant
{
    public string Name { get; init; } = "";
    public string Label { get; init; } = "";

    /// <summary>safety-train keys to override, e.g. <c>{ method: ng }</c>.</summary>
    public IReadOnlyDictionary<string, string> Set { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The paper's three methods with L_c in the autograd graph, the same three as the public code computes them (L_c
    /// through <c>.item()</c>, a constant), and NG at the public NG script's lambda 5e-3 (100x the paper's): what the
    /// authors ran beside what the paper says. The plain clean fine-tune is no variant: it is the control every
    /// variant's attack and evaluation take (<c>control-train</c>), and the table's last row.
    /// </summary>
    public static IReadOnlyList<ComparisonVariant> Defaults { get; } =
    [
        new() { Name = "lt", Label = "LT", Set = new Dictionary<string, string> { ["method"] = "lt" } },
        new() { Name = "ng", Label = "NG", Set = new Dictionary<string, string> { ["method"] = "ng" } },
        new() { Name = "high-safety", Label = "high safety", Set = new Dictionary<string, string> { ["method"] = "high-safety" } },
        new() { Name = "lt-public-code", Label = "LT, contrastGradient: false", Set = new Dictionary<string, string> { ["method"] = "lt", ["contrastGradient"] = "false" } },
        new() { Name = "ng-public-code", Label = "NG, contrastGradient: false", Set = new Dictionary<string, string> { ["method"] = "ng", ["contrastGradient"] = "false" } },
        new() { Name = "high-safety-public-code", Label = "high safety, contrastGradient: false", Set = new Dictionary<string, string> { ["method"] = "high-safety", ["contrastGradient"] = "false" } },
        new() { Name = "ng-lambda-5e-3", Label = "NG, lambda 5e-3 (public script)", Set = new Dictionary<string, string> { ["method"] = "ng", ["lambda"] = "5e-3" } },
    ];
}
