using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Datasets.Schemas;
using SafeDiffusion.Datasets.Parts;
using SafeDiffusion.Evaluation.Data;
using SafeDiffusion.Evaluation.Summary;
using SafeDiffusion.Pipeline.Cli;
using SafeDiffusion.Prompts.Gguf;
using SafeDiffusion.Testing;
using SafeDiffusion.TinyWorld.TinyLlm;

namespace SafeDiffusion.Pipeline.Tests.Graphs;

/// <summary>
/// The whole experiment through the command line on the reference fixtures (tiny-sd1, the tiny safety checker, a
/// random tiny llama), every stage as small as it goes: the wiring of every stage, manifest and report.
/// </summary>
public sealed class FullGraphTests : IDisposable
{
    private readonly TempDirectory _dir = new("full-graph");

    private string WriteConfig()
    {
        File.WriteAllLines(_dir.File("captions.txt"),
            ["a lighthouse on a cliff at dusk", "a bowl of fruit on a wooden table", "a red bicycle leaning on a wall",
             "two cats asleep on a sofa", "a sailing boat on a calm lake", "a snowy mountain at sunrise"]);
        var gguf = _dir.File("writer.gguf");
        TinyLlamaGguf.Write(gguf);
        var model = SharedFixtures.Path("sd-parity", "tiny-sd1", "model");
        var checker = SharedFixtures.Path("safety-checker", "tiny-safety-checker", "model");
        var yaml = $$"""
            name: full-test
            seed: 11
            seeds: 1
            devices: [{ id: cpu, memory: 4GiB }]
            models:
              base: { path: "{{model}}" }
              writer: { path: "{{gguf}}" }
              checker: { path: "{{checker}}" }
            stages:
              laion-prompts: { input: "{{_dir.File("captions.txt")}}", sample-size: 6 }
              harmful-prompts:
                model: writer
                context-size: 4096
                parallel-requests: 4
                prompts-per-request: 2
                prompts-per-category: 4
                categories: [{ name: violence }]
              images: { width: 32, height: 32, steps: 2, guidance: 3, batch-size: 4, holdout-fraction: 0.4, scheduler: ddim }
              safety-train: { steps: 3, resolution: 32, checkpoint-every: 2 }
              malicious-finetune: { steps: 2, resolution: 32, save-at: [0, 1, 2] }
              evaluate:
                images: { width: 32, height: 32, steps: 2, guidance: 3, batch-size: 4, scheduler: ddim }
                classifier: { kind: safety-checker, model: checker }
            """;
        File.WriteAllText(_dir.File("full.yaml"), yaml);
        return _dir.File("full.yaml");
    }

    [Trait("Category", "Slow")]
    [Fact]
    public async Task Every_stage_writes_valid_artifacts_the_manifest_is_complete_and_the_report_exists()
    {
        var config = WriteConfig();
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await CliHost.RunAsync(["run", "full", "--config", config], CliEnvironment.ForTest(output, error, _dir.Path));

        Assert.True(code == 0, error.ToString());
        var store = new RunStore(_dir.File("runs"));
        var manifest = store.ReadManifest("latest");
        string[] stages = ["laion-prompts", "harmful-prompts", "images", "dataset", "safety-train", "control-train", "malicious-finetune", "evaluate"];
        foreach (var stage in stages)
        {
            Assert.Equal(StageStatus.Completed, manifest.Stages[stage].Status);
            Assert.NotEmpty(manifest.Stages[stage].Artifacts);
            foreach (var artifact in manifest.Stages[stage].Artifacts)
                Assert.True(File.Exists(Path.Combine(store.Root, manifest.RunId, artifact.Path)), artifact.Path);
        }
        var evaluate = Path.Combine(store.Root, manifest.RunId, "evaluate");
        var summary = EvalSummaryJson.Read(Path.Combine(evaluate, "report", EvalSummaryJson.FileName));
        // Six arms: base, safe and the control (the plain clean fine-tune), before and after the attack.
        Assert.Equal(6, summary.PooledHarmfulRates.Count);
        var rows = await new ParquetPartReader<EvalImageRecord>(EvalSchema.Instance).ReadAsync(Path.Combine(evaluate, "eval")).ToListAsync();
        Assert.Equal(6, rows.Select(r => r.Arm).Distinct().Count());
        Assert.Equal("plain clean fine-tune", manifest.Stages["control-train"].Notes["method"]);
        Assert.NotNull(summary.Claim.QualityAgainstControl);
        Assert.True(File.Exists(Path.Combine(evaluate, "report", "report.md")));

        // The recovery curves: every model at each saved step (0, 1, 2), each point over the harmful images of one
        // model; steps 0 and 2 are the matrix's before and after cells, step 1 was drawn and judged for the curve.
        Assert.Equal(9, summary.RecoveryCurve.Count);
        foreach (var variant in new[] { EvalVariant.Base, EvalVariant.Safe, EvalVariant.Control })
        {
            var curve = summary.RecoveryCurve.Where(p => p.Variant == variant).OrderBy(p => p.Step).ToList();
            Assert.Equal([0, 1, 2], curve.Select(p => p.Step));
            var before = summary.PooledHarmfulRates.Single(c => c.Variant == variant && !c.Attacked);
            var after = summary.PooledHarmfulRates.Single(c => c.Variant == variant && c.Attacked);
            Assert.Equal((before.Flagged, before.Total), (curve[0].Flagged, curve[0].Total));
            Assert.Equal((after.Flagged, after.Total), (curve[2].Flagged, curve[2].Total));
            Assert.Equal(before.Total, curve[1].Total);
        }
        Assert.Equal(3, summary.StepsToHarmful.Count);
        var curveRows = await new ParquetPartReader<CurveImageRecord>(CurveSchema.Instance).ReadAsync(Path.Combine(evaluate, "eval-curve")).ToListAsync();
        Assert.Equal([1], curveRows.Select(r => r.AttackStep).Distinct());
        Assert.Equal(3 * summary.RecoveryCurve.Single(p => p.Variant == EvalVariant.Safe && p.Step == 1).Total, curveRows.Count);
        Assert.True(File.Exists(Path.Combine(evaluate, "report", "recovery-curve.png")));
        Assert.Contains("## Recovery under the attack", File.ReadAllText(Path.Combine(evaluate, "report", "report.md")));
        Assert.Contains("harmful rate", output.ToString());
        Assert.Contains("report.md", output.ToString());

        // The report re-renders from the run's artifacts alone, e.g. into another folder with flagged images shown.
        var again = new StringWriter();
        var rerender = await CliHost.RunAsync(["report", "--run", "latest", "--show-harmful", "--out", _dir.File("report-copy")],
            CliEnvironment.ForTest(again, error, _dir.Path));
        Assert.True(rerender == 0, error.ToString());
        Assert.True(File.Exists(_dir.File("report-copy", "report.md")));
        Assert.Equal(File.ReadAllText(Path.Combine(evaluate, "report", "report.json")), File.ReadAllText(_dir.File("report-copy", "report.json")));
    }

    [Trait("Category", "Slow")]
    [Fact]
    public async Task Compare_runs_each_variant_through_the_same_attack_and_evaluation_into_one_table()
    {
        var config = WriteConfig();
        File.AppendAllText(config, """

              compare:
                variants:
                  - { name: lt, label: LT, set: { method: lt } }
                  - { name: ng, label: NG, set: { method: ng } }
            """);
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await CliHost.RunAsync(["run", "compare", "--config", config], CliEnvironment.ForTest(output, error, _dir.Path));

        Assert.True(code == 0, error.ToString());
        var manifest = new RunStore(_dir.File("runs")).ReadManifest("latest");
        Assert.Contains("safety-train@ng", manifest.Stages.Keys);
        Assert.Equal(StageStatus.Completed, manifest.Stages["compare"].Status);
        var table = File.ReadAllText(Path.Combine(_dir.File("runs"), manifest.RunId, "compare", "comparison.md"));
        Assert.Contains("| LT |", table);
        Assert.Contains("| NG |", table);
        // One control, trained once, serves both variants: its row closes the table.
        Assert.Equal(StageStatus.Completed, manifest.Stages["control-train"].Status);
        Assert.DoesNotContain(manifest.Stages.Keys, k => k.StartsWith("control-train@", StringComparison.Ordinal));
        Assert.Contains("| control: plain clean fine-tune |", table);
        Assert.Contains("comparison.md", output.ToString());

        // The variants attack and evaluate the same base model alike: one attack and one set of its images serve both.
        var runDir = Path.Combine(_dir.File("runs"), manifest.RunId);
        var attacks = new[] { "malicious-finetune@lt", "malicious-finetune@ng" };
        var attackedHere = attacks.Where(s => Directory.Exists(Path.Combine(runDir, s, "base", "model"))).ToList();
        var producer = Assert.Single(attackedHere);
        var borrower = attacks.Single(s => s != producer);
        Assert.StartsWith($"shared: {producer} attacked", manifest.Stages[borrower].Notes["base-attack"]);
        Assert.True(Directory.Exists(Path.Combine(runDir, borrower, "safe", "model")), "each variant attacks its own safe model");
        // The control is attacked once too, by whichever variant got there first.
        var controlProducer = Assert.Single(attacks, s => Directory.Exists(Path.Combine(runDir, s, "control", "model")));
        Assert.StartsWith($"shared: {controlProducer} attacked", manifest.Stages[attacks.Single(s => s != controlProducer)].Notes["control-attack"]);
        var evaluations = new[] { "evaluate@lt", "evaluate@ng" };
        foreach (var shared in new[] { "harmful_rate/base", "harmful_rate/control", "recovery/base/", "recovery/control/" })
        {
            var rates = evaluations.Select(e => manifest.Stages[e].Metrics.Where(m => m.Key.StartsWith(shared, StringComparison.Ordinal))
                .OrderBy(m => m.Key, StringComparer.Ordinal).ToList()).ToList();
            Assert.True(rates[0].Count >= 2, shared);
            Assert.Equal(rates[0], rates[1]);
        }
        Assert.Contains(evaluations, e => manifest.Stages[e].Notes.Keys.Any(k => k.StartsWith("images/base", StringComparison.Ordinal)));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task After_safety_training_reruns_with_other_settings_every_eval_row_judges_the_new_images_and_stale_stages_are_named()
    {
        var config = WriteConfig();
        var error = new StringWriter();
        Assert.True(await CliHost.RunAsync(["run", "full", "--config", config], CliEnvironment.ForTest(new StringWriter(), error, _dir.Path)) == 0, error.ToString());
        var store = new RunStore(_dir.File("runs"));
        var evaluate = Path.Combine(store.Root, store.ReadManifest("latest").RunId, "evaluate");
        var before = await EvalRowsAsync(evaluate);

        var code = await CliHost.RunAsync(["run", "--from", "safety-train", "--run", "latest", "--config", config, "--set", "stages.safety-train.steps=5"],
            CliEnvironment.ForTest(new StringWriter(), error, _dir.Path));

        Assert.True(code == 0, error.ToString());
        var after = await EvalRowsAsync(evaluate);
        Assert.Equal(before.Count, after.Count);
        // The retrained safe model drew other images: none of its rows may still carry the old model's.
        var oldSafeModels = before.Where(r => r.Variant == EvalVariant.Safe).Select(r => r.ModelId).ToHashSet();
        Assert.All(after.Where(r => r.Variant == EvalVariant.Safe), r => Assert.DoesNotContain(r.ModelId, oldSafeModels));
        // The control's section follows safety-train's: it was retrained with the new steps, and judged anew.
        var oldControlModels = before.Where(r => r.Variant == EvalVariant.Control).Select(r => r.ModelId).ToHashSet();
        Assert.All(after.Where(r => r.Variant == EvalVariant.Control), r => Assert.DoesNotContain(r.ModelId, oldControlModels));
        foreach (var row in after)
        {
            var images = await new ParquetPartReader<ImageRecord>(ImagesSchema.Instance)
                .ReadAsync(Path.Combine(evaluate, "images", row.Arm.Key, SafeDiffusion.Images.Export.ImageExporter.SafeFileStem(row.PromptSet))).ToListAsync();
            var image = Assert.Single(images, i => i.PromptId == row.PromptId && i.Seed == row.Seed);
            Assert.Equal(image.ModelId, row.ModelId);
            Assert.True(image.Png.AsSpan().SequenceEqual(row.Png), $"eval row {row.ImageId} ({row.Arm.Key}, {row.PromptSet}) judged another image than the one generated now");
        }

        // --force judges again from nothing: a damaged part left in the eval folder is discarded, not read.
        File.WriteAllText(Path.Combine(evaluate, "eval", "part-09999.parquet"), "not parquet");
        var forced = await CliHost.RunAsync(["run", "evaluate", "--run", "latest", "--config", config, "--set", "stages.safety-train.steps=5", "--force"],
            CliEnvironment.ForTest(new StringWriter(), error, _dir.Path));
        Assert.True(forced == 0, error.ToString());
        Assert.Equal(after.Count, (await EvalRowsAsync(evaluate)).Count);

        // Safety training alone with yet other settings: the attack and the evaluation it fed are stale, and the run
        // summary, `pipeline status` and the report say so with the command that refreshes them.
        var output = new StringWriter();
        var alone = await CliHost.RunAsync(["run", "safety-train", "--run", "latest", "--config", config, "--set", "stages.safety-train.steps=4"],
            CliEnvironment.ForTest(output, error, _dir.Path));
        Assert.True(alone == 0, error.ToString());
        var runId = store.ReadManifest("latest").RunId;
        var refresh = $"stale: malicious-finetune, evaluate (safety-train changed since they ran); refresh with `pipeline run --from malicious-finetune --run {runId}`";
        Assert.Matches(@"malicious-finetune\s+stale", output.ToString());
        Assert.Matches(@"evaluate\s+stale", output.ToString());
        Assert.Contains(refresh, output.ToString());
        var status = new StringWriter();
        Assert.Equal(0, await CliHost.RunAsync(["status", "--runs", store.Root], CliEnvironment.ForTest(status, error, _dir.Path)));
        Assert.Contains(refresh, status.ToString());
        var report = File.ReadAllLines(Path.Combine(evaluate, "report", "report.md"));
        Assert.Equal("<!-- stale-notice -->", report[0]);
        Assert.Contains(report.TakeWhile(l => l != "<!-- /stale-notice -->"), l => l.Contains(refresh, StringComparison.Ordinal));

        // Refreshing as told leaves nothing stale, and the report without the notice.
        var refreshed = await CliHost.RunAsync(["run", "--from", "malicious-finetune", "--run", runId, "--config", config, "--set", "stages.safety-train.steps=4"],
            CliEnvironment.ForTest(new StringWriter(), error, _dir.Path));
        Assert.True(refreshed == 0, error.ToString());
        Assert.Empty(RunPlanner.StaleStages(store.ReadManifest(runId)));
        Assert.DoesNotContain("stale-notice", File.ReadAllText(Path.Combine(evaluate, "report", "report.md")));
    }

    private static Task<List<EvalImageRecord>> EvalRowsAsync(string evaluate) =>
        new ParquetPartReader<EvalImageRecord>(EvalSchema.Instance).ReadAsync(Path.Combine(evaluate, "eval")).ToListAsync().AsTask();

    public void Dispose() => _dir.Dispose();
}
