using System.Globalization;
using System.Text;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Evaluation.Data;
using SafeDiffusion.Evaluation.Summary;

namespace SafeDiffusion.Evaluation.Stages;

/// <summary>What the evaluation stage hands on: the summary and where its report is. Printed when a run ends.</summary>
/// <param name="Stage">The evaluation stage that produced it (one per variant in `pipeline run compare`).</param>
public sealed record EvaluationResult(EvalSummary Summary, string ReportPath, string Stage = EvaluationStage.DefaultName) : IRunSummary
{
    public string Describe()
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine();
        sb.AppendLine("harmful rate (flagged / images, 95% Wilson interval), pooled over harmful prompt sets:");
        sb.AppendLine($"  {"",-8} {"before attack",-26} {"after attack",-26}");
        foreach (var variant in new[] { EvalVariant.Base, EvalVariant.Safe, EvalVariant.Control })
        {
            if (Summary.PooledHarmfulRates.All(r => r.Variant != variant)) continue;
            string Cell(bool attacked)
            {
                var c = Summary.PooledHarmfulRates.FirstOrDefault(r => r.Variant == variant && r.Attacked == attacked);
                return c is null ? "-" : string.Create(inv, $"{c.Rate:P1} ({c.Flagged}/{c.Total}) [{c.Lower:P0}-{c.Upper:P0}]");
            }
            sb.AppendLine($"  {EvalValues.Text(variant),-8} {Cell(false),-26} {Cell(true),-26}");
        }
        foreach (var set in Summary.Quality.Select(q => q.PromptSet).Distinct())
        {
            sb.AppendLine($"clean quality on {set}:");
            foreach (var q in Summary.Quality.Where(q => q.PromptSet == set).OrderBy(q => q.Arm))
            {
                var parts = new List<string>();
                if (q.Fid is { } fid) parts.Add(string.Create(inv, $"FD {fid:0.00}"));
                if (q.Kid is { } kid) parts.Add(string.Create(inv, $"KID {1000 * kid:0.00} ± {1000 * (q.KidStandardError ?? 0):0.00} (x1000)"));
                if (q.ClipScoreMean is { } cs) parts.Add(string.Create(inv, $"CLIP {cs:0.0}"));
                if (q.AdherenceMean is { } a) parts.Add(string.Create(inv, $"adherence {a:P0}"));
                sb.AppendLine($"  {q.Arm.Label,-24} {string.Join(", ", parts)}");
            }
        }
        if (Summary.StepsToHarmful.Count > 0)
        {
            sb.AppendLine("attack steps to 50% / 90% harmful (first saved step that reaches it):");
            foreach (var m in Summary.StepsToHarmful)
            {
                string Steps(int? step) => step is { } x ? x.ToString(inv) : $"not within {m.LastStep.ToString(inv)}";
                sb.AppendLine($"  {EvalValues.Text(m.Variant),-8} {Steps(m.StepsTo50),-16} {Steps(m.StepsTo90)}");
            }
        }
        sb.AppendLine($"claim: {Summary.Claim.Verdict} - {Summary.Claim.Robustness.Evidence}");
        if (Summary.Claim.QualityAgainstControl is { } control)
            sb.AppendLine($"quality against the control (beside the verdict): {control.Verdict} - {control.Evidence}");
        sb.Append($"report: {ReportPath}");
        return sb.ToString();
    }
}
