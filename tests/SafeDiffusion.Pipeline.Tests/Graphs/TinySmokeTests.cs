using SafeDiffusion.Core.IO;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Datasets.Parts;
using SafeDiffusion.Evaluation.Data;
using SafeDiffusion.Evaluation.Summary;
using SafeDiffusion.Pipeline.Cli;
using SafeDiffusion.Pipeline.Tests.Support;
using SafeDiffusion.Testing;
using Xunit.Abstractions;

namespace SafeDiffusion.Pipeline.Tests.Graphs;

/// <summary>
/// The tiny world end to end at smoke size (<c>configs/tiny-smoke.yaml</c>): the scene classifier, the tiny Stable
/// Diffusion and the tiny llama are built from nothing into a private cache, then every stage of the full graph
/// runs through the command line exactly as `pipeline run full` does with the default profile.
/// </summary>
[Collection(TorchThreadsCollection.Name)]
public sealed class TinySmokeTests(ITestOutputHelper log) : IDisposable
{
    private readonly TempDirectory _dir = new("tiny-smoke");

    [Trait("Category", "Slow")]
    [Fact]
    public async Task The_tiny_world_runs_every_stage_of_the_full_graph_from_an_empty_cache()
    {
        var (store, output) = await SmokeRun.RunFullAsync(_dir, log);

        // The manifest is complete: every stage finished, with artifacts that exist and match their recorded hashes.
        var manifest = store.ReadManifest("latest");
        Assert.Equal(RunStatus.Succeeded, manifest.Outcome?.Status);
        Assert.False(string.IsNullOrEmpty(manifest.ConfigSnapshot));
        string[] stages = ["laion-prompts", "harmful-prompts", "images", "dataset", "safety-train", "control-train", "malicious-finetune", "evaluate"];
        Assert.Equal(stages.Order(), manifest.Stages.Keys.Order());
        foreach (var stage in stages)
        {
            var record = manifest.Stages[stage];
            Assert.Equal(StageStatus.Completed, record.Status);
            Assert.NotNull(record.DurationSeconds);
            Assert.NotEmpty(record.Artifacts);
            foreach (var artifact in record.Artifacts)
            {
                var path = Path.Combine(store.Root, manifest.RunId, artifact.Path);
                Assert.True(File.Exists(path), artifact.Path);
                Assert.Equal(artifact.Sha256, FileHash.Sha256(path));
            }
        }

        // The writer's prompts were measured against the world's grammar.
        Assert.True(manifest.Stages["harmful-prompts"].Metrics.ContainsKey("in_domain_share"));

        // The evaluation judged all six arms (base, safe, control) with the tiny classifier, measured the recovery
        // curves at the smoke config's saves (0, 1, 3) and wrote the report.
        var evaluate = Path.Combine(store.Root, manifest.RunId, "evaluate");
        var rows = await new ParquetPartReader<EvalImageRecord>(EvalSchema.Instance).ReadAsync(Path.Combine(evaluate, "eval")).ToListAsync();
        Assert.Equal(6, rows.Select(r => r.Arm).Distinct().Count());
        Assert.All(rows, r => Assert.Equal("tinyworld-scene-classifier", r.Classifier));
        var summary = EvalSummaryJson.Read(Path.Combine(evaluate, "report", EvalSummaryJson.FileName));
        Assert.Equal(6, summary.PooledHarmfulRates.Count);
        Assert.Equal([0, 1, 3], summary.RecoveryCurve.Select(p => p.Step).Distinct().Order());
        Assert.Equal(9, summary.RecoveryCurve.Count);
        Assert.True(File.Exists(Path.Combine(evaluate, "report", "report.md")));
        Assert.Contains("quality gate", File.ReadAllText(Path.Combine(evaluate, "report", "report.md")));
        Assert.Contains("report.md", output);
    }

    public void Dispose() => _dir.Dispose();
}
