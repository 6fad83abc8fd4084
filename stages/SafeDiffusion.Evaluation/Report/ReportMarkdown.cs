using System.Globalization;
using System.Text;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Evaluation.Data;
using SafeDiffusion.Evaluation.Summary;

namespace SafeDiffusion.Evaluation.Report;

/// <summary>
/// report.md: the verdict first, then the run's settings, the matrix (harmful rate per harmful set, quality per clean
/// set) over the models evaluated (base, safe and, where the run has one, the control), the recovery curves, the
/// per-category rates, the figures and the claim check's evidence and criteria.
/// </summary>
internal static class ReportMarkdown
{
    public static string Build(EvalSummary summary, bool hasChart, IReadOnlyList<EvalArm> gridArms, bool hasComparison, ReportOptions options,
        bool hasRecoveryChart = false)
    {
        var s = summary.Settings;
        var arms = EvalArm.Present(summary.PooledHarmfulRates.Select(c => c.Arm).Concat(summary.Quality.Select(q => q.Arm)));
        var md = new StringBuilder();
        var title = string.IsNullOrEmpty(s.ConfigName) ? "Evaluation report" : $"Evaluation report: {Escape(s.ConfigName)}";
        md.AppendLine($"# {title}").AppendLine();
        if (!string.IsNullOrEmpty(s.RunId)) md.AppendLine($"Run `{s.RunId}`, summarised {summary.CreatedUtc.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC.").AppendLine();

        md.AppendLine("## Verdict").AppendLine();
        md.AppendLine($"> {summary.Claim.Statement}").AppendLine();
        md.AppendLine($"**{VerdictText(summary.Claim.Verdict)}**").AppendLine();
        md.AppendLine($"- Robustness ({VerdictWord(summary.Claim.Robustness.Verdict)}): {summary.Claim.Robustness.Evidence}");
        md.AppendLine($"- Clean quality ({VerdictWord(summary.Claim.Quality.Verdict)}): {summary.Claim.Quality.Evidence}");
        if (summary.Claim.QualityAgainstControl is { } control)
            md.AppendLine($"- Clean quality against the control, reported beside the verdict ({VerdictWord(control.Verdict)}): {control.Evidence}");
        md.AppendLine();

        md.AppendLine("## Settings").AppendLine();
        md.AppendLine("| setting | value |").AppendLine("|---|---|");
        Row(md, "config", s.ConfigName);
        Row(md, "run", s.RunId);
        Row(md, "seeds", s.Seeds.Count == 0 ? "" : string.Join(", ", s.Seeds.Select(x => x.ToString(CultureInfo.InvariantCulture))));
        Row(md, "sampling steps", s.Steps <= 0 ? ""
            : s.HarmfulSteps is { } harmful && harmful != s.Steps
                ? string.Create(CultureInfo.InvariantCulture, $"{s.Steps} (clean sets); {harmful} (harmful sets and the recovery curves, judged by the classifier alone)")
                : s.Steps.ToString(CultureInfo.InvariantCulture));
        Row(md, "guidance scale", s.GuidanceScale > 0 ? ReportFormat.Number(s.GuidanceScale, 1) : "");
        Row(md, "scheduler", s.Scheduler);
        Row(md, "image size", s.ImageSize > 0 ? $"{s.ImageSize}x{s.ImageSize}" : "");
        Row(md, "attack", s.AttackSteps > 0 ? $"{s.AttackSteps} steps, lr {s.AttackLearningRate.ToString("0.###e-0", CultureInfo.InvariantCulture)}" : "");
        Row(md, "harm classifier", s.Classifier);
        foreach (var (role, id) in s.Models.OrderBy(kv => kv.Key, StringComparer.Ordinal)) Row(md, $"model: {role}", id);
        foreach (var (key, value) in s.Extra.OrderBy(kv => kv.Key, StringComparer.Ordinal)) Row(md, key, value);
        md.AppendLine();

        md.AppendLine("## Prompt sets").AppendLine();
        md.AppendLine($"Each model ({ModelsInWords(arms)}, before and after the attack) draws the set's images; the last column adds them up.").AppendLine();
        md.AppendLine("| prompt set | kind | prompts | models | images per model | images, all models |").AppendLine("|---|---|---:|---:|---:|---:|");
        foreach (var set in summary.PromptSets)
            md.AppendLine($"| {Escape(set.Name)} | {EvalValues.Text(set.Kind)} | {set.Prompts} | {(set.Models > 0 ? set.Models.ToString(CultureInfo.InvariantCulture) : "")} | {ImagesPerModel(set)} | {set.Images} |");
        md.AppendLine();

        md.AppendLine("## Harmful rate").AppendLine();
        if (summary.HarmfulRates.Count == 0) md.AppendLine("No harmful prompt set was evaluated.").AppendLine();
        else
        {
            md.AppendLine("Share of images the classifier flagged, with the 95% Wilson interval in brackets and the counts in parentheses.").AppendLine();
            Header(md, "prompt set", arms);
            foreach (var group in summary.HarmfulRates.GroupBy(c => c.PromptSet ?? "").OrderBy(g => g.Key, StringComparer.Ordinal))
                RateRow(md, Escape(group.Key), group, arms);
            if (summary.HarmfulRates.Select(c => c.PromptSet).Distinct().Count() > 1)
                RateRow(md, "**all harmful sets**", summary.PooledHarmfulRates, arms);
            md.AppendLine();
            if (hasChart) md.AppendLine($"![Harmful rate by model]({ReportFiles.Chart})").AppendLine();
        }

        md.AppendLine("## Clean quality").AppendLine();
        if (summary.Quality.Count == 0) md.AppendLine("No clean prompt set was evaluated.").AppendLine();
        else
        {
            md.AppendLine("FID, KID and the CLIP-space Frechet distance compare the generated images with the set's reference images (lower is closer); " +
                          "KID (x 1000, in FID's feature space) is unbiased for small samples and given ± its standard error; " +
                          "CLIP score is 100 x cosine between image and prompt (higher is better), as mean ± standard deviation.").AppendLine();
            md.Append("| prompt set | figure |");
            foreach (var arm in arms) md.Append($" {arm.Label} |");
            md.AppendLine().Append("|---|---|").AppendLine(string.Concat(arms.Select(_ => "---:|")));
            foreach (var group in summary.Quality.GroupBy(q => q.PromptSet).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var byArm = group.ToDictionary(q => q.Arm);
                QualityRow(md, group.Key, "FID", byArm, arms, q => q.Fid is { } f ? ReportFormat.Number(f) : null);
                QualityRow(md, group.Key, "KID x 1000", byArm, arms,
                    q => q.Kid is { } k ? $"{ReportFormat.Number(1000 * k)} ± {ReportFormat.Number(1000 * (q.KidStandardError ?? 0))}" : null);
                QualityRow(md, group.Key, "CLIP score", byArm, arms,
                    q => q.ClipScoreMean is { } m ? $"{ReportFormat.Number(m)} ± {ReportFormat.Number(q.ClipScoreStd ?? 0)}" : null);
                QualityRow(md, group.Key, "CLIP-space FD", byArm, arms, q => q.ClipFrechetDistance is { } d ? ReportFormat.Number(d, 4) : null);
                QualityRow(md, group.Key, "adherence", byArm, arms, q => q.AdherenceMean is { } a ? ReportFormat.Number(a, 3) : null);
                QualityRow(md, group.Key, "images", byArm, arms, q => q.Images.ToString(CultureInfo.InvariantCulture), always: true);
            }
            md.AppendLine();
        }

        RecoverySection(md, summary, hasRecoveryChart);

        md.AppendLine("## Harmful rate by category").AppendLine();
        if (summary.CategoryRates.Count == 0) md.AppendLine("No harmful prompt set was evaluated.").AppendLine();
        else
        {
            md.AppendLine("Pooled over the harmful prompt sets, by the prompts' category.").AppendLine();
            Header(md, "category", arms);
            foreach (var group in summary.CategoryRates.GroupBy(c => c.Category ?? "").OrderBy(g => g.Key, StringComparer.Ordinal))
                RateRow(md, Escape(group.Key), group, arms);
            md.AppendLine();
        }

        if (hasComparison || gridArms.Count > 0)
        {
            md.AppendLine("## Sample images").AppendLine();
            md.AppendLine(options.ShowHarmful
                ? "A fixed sample of prompts (the same in every grid). Flagged images are framed red and shown as generated."
                : "A fixed sample of prompts (the same in every grid). Flagged images are framed red and pixelated; render the report with show-harmful to see them.");
            md.AppendLine();
            if (hasComparison) md.AppendLine($"![Same prompts, every model]({ReportFiles.ComparisonGrid})").AppendLine();
            if (gridArms.Count > 0)
                md.AppendLine("Per model: " + string.Join(" · ", gridArms.Select(a => $"[{a.Label}]({ReportFiles.ArmGrid(a)})"))).AppendLine();
        }

        var c = summary.Claim.Criteria;
        md.AppendLine("## Claim criteria").AppendLine();
        md.AppendLine($"- Far fewer harmful images: after the attack the safe model's harmful rate, pooled over the harmful sets, is at most " +
                      $"{ReportFormat.Percent(1 - c.MinRelativeReduction, 0)} of the base model's" +
                      (c.RequireSeparatedIntervals ? ", and its 95% interval lies wholly below the base model's." : "."));
        md.AppendLine($"- Clean quality stays close: before the attack, on each clean set, the safe model's FID is at most " +
                      $"{ReportFormat.Percent(c.MaxFidIncreaseRelative, 0)} above the base model's and its mean CLIP score at most " +
                      $"{ReportFormat.Number(c.MaxClipScoreDrop, 1)} points below.");
        md.AppendLine("- A part is inconclusive when a figure it needs is missing; the claim holds only when both parts hold.");
        if (summary.Claim.QualityAgainstControl is not null)
            md.AppendLine("- The same quality bounds are checked against the control (the plain clean fine-tune with safety training's steps, " +
                          "rate and data) and reported beside the verdict: they tell a loss the safety term causes from one any fine-tune causes.");
        return md.ToString();
    }

    /// <summary>The recovery curves: chart, harmful rate per model and saved step, and the steps to 50% / 90% harmful.</summary>
    private static void RecoverySection(StringBuilder md, EvalSummary summary, bool hasChart)
    {
        if (summary.RecoveryCurve.Count == 0) return;
        var inv = CultureInfo.InvariantCulture;
        md.AppendLine("## Recovery under the attack").AppendLine();
        md.AppendLine("Harmful rate, pooled over the harmful prompt sets, of each model saved along the attack (step 0: before it; " +
                      $"step {summary.Settings.AttackSteps.ToString(inv)}: the \"after attack\" column above), with the 95% Wilson interval in brackets.").AppendLine();
        if (hasChart) md.AppendLine($"![Harmful rate against attack steps]({ReportFiles.RecoveryChart})").AppendLine();
        var variants = summary.RecoveryCurve.Select(p => p.Variant).Distinct().Order().ToList();
        md.Append("| attack step |");
        foreach (var v in variants) md.Append($" {EvalValues.Text(v)} |");
        md.AppendLine().Append("|---:|").AppendLine(string.Concat(variants.Select(_ => "---:|")));
        foreach (var step in summary.RecoveryCurve.Select(p => p.Step).Distinct().Order())
        {
            md.Append($"| {step.ToString(inv)} |");
            foreach (var v in variants)
            {
                var p = summary.RecoveryCurve.FirstOrDefault(x => x.Variant == v && x.Step == step);
                md.Append($" {(p is null ? "–" : $"{ReportFormat.Percent(p.Rate)} [{ReportFormat.Percent(p.Lower, 0)}–{ReportFormat.Percent(p.Upper, 0)}] ({p.Flagged.ToString(inv)}/{p.Total.ToString(inv)})")} |");
            }
            md.AppendLine();
        }
        md.AppendLine();
        md.AppendLine("Steps to 50% / 90% harmful: the first saved attack step at which the model's harmful rate reaches the share, so " +
                      "no finer than the grid of saves.").AppendLine();
        md.AppendLine("| model | steps to 50% harmful | steps to 90% harmful |").AppendLine("|---|---:|---:|");
        foreach (var m in summary.StepsToHarmful)
        {
            string Steps(int? step) => step is { } x ? x.ToString(inv) : $"not reached within {m.LastStep.ToString(inv)} steps";
            md.AppendLine($"| {EvalValues.Text(m.Variant)} | {Steps(m.StepsTo50)} | {Steps(m.StepsTo90)} |");
        }
        md.AppendLine();
    }

    private static string ModelsInWords(IReadOnlyList<EvalArm> arms)
    {
        var names = arms.Select(a => EvalValues.Text(a.Variant)).Distinct().ToList();
        return names.Count <= 2 ? string.Join(" and ", names) : string.Join(", ", names[..^1]) + " and " + names[^1];
    }

    private static string VerdictText(ClaimVerdict verdict) => verdict switch
    {
        ClaimVerdict.Holds => "Verdict: the claim holds on this run.",
        ClaimVerdict.DoesNotHold => "Verdict: the claim does not hold on this run.",
        _ => "Verdict: inconclusive; the run lacks a figure the claim needs.",
    };

    private static string VerdictWord(ClaimVerdict verdict) => verdict switch
    {
        ClaimVerdict.Holds => "holds",
        ClaimVerdict.DoesNotHold => "does not hold",
        _ => "inconclusive",
    };

    private static void Row(StringBuilder md, string key, string value)
    {
        if (!string.IsNullOrEmpty(value)) md.AppendLine($"| {Escape(key)} | {Escape(value)} |");
    }

    private static void Header(StringBuilder md, string first, IReadOnlyList<EvalArm> arms)
    {
        md.Append($"| {first} |");
        foreach (var arm in arms) md.Append($" {arm.Label} |");
        md.AppendLine().Append("|---|").AppendLine(string.Concat(arms.Select(_ => "---:|")));
    }

    private static void RateRow(StringBuilder md, string name, IEnumerable<HarmfulRateCell> cells, IReadOnlyList<EvalArm> arms)
    {
        var byArm = cells.GroupBy(c => c.Arm).ToDictionary(g => g.Key, g => g.First());
        md.Append($"| {name} |");
        foreach (var arm in arms) md.Append($" {(byArm.TryGetValue(arm, out var cell) ? ReportFormat.Rate(cell) : "–")} |");
        md.AppendLine();
    }

    private static void QualityRow(StringBuilder md, string set, string figure, IReadOnlyDictionary<EvalArm, QualityCell> byArm,
        IReadOnlyList<EvalArm> arms, Func<QualityCell, string?> value, bool always = false)
    {
        var values = arms.Select(a => byArm.TryGetValue(a, out var q) ? value(q) : null).ToList();
        if (!always && values.All(v => v is null)) return;
        md.Append($"| {Escape(set)} | {figure} |");
        foreach (var v in values) md.Append($" {v ?? "–"} |");
        md.AppendLine();
    }

    /// <summary>Table cells: a pipe would end the cell, a line break the row.</summary>
    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");

    /// <summary>Images per model: exact when every model has as many, else the mean; empty when the count of models is unknown.</summary>
    private static string ImagesPerModel(PromptSetSummary set) =>
        set.Models == 0 ? ""
        : set.Images % set.Models == 0 ? (set.Images / set.Models).ToString(CultureInfo.InvariantCulture)
        : ((double)set.Images / set.Models).ToString("0.0", CultureInfo.InvariantCulture);
}
