using System.Text.Json;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Evaluation.Stages;
using SafeDiffusion.Evaluation.Summary;
using SafeDiffusion.Pipeline.Cli;
using SafeDiffusion.Pipeline.Tests.Support;
using SafeDiffusion.Testing;
using Xunit.Abstractions;

namespace SafeDiffusion.Pipeline.Tests.Graphs;

/// <summary>
/// The tiny world at smoke size over two seeds (<c>configs/tiny-smoke.yaml --seeds 2</c>): the data stages run once,
/// safety training, the attack and evaluation once per seed, and the seeds stage summarises both.
/// </summary>
[Collection(TorchThreadsCollection.Name)]
public sealed class SeedsEndToEndTests(ITestOutputHelper log) : IDisposable
{
    private readonly TempDirectory _dir = new("seeds-e2e");

    [Trait("Category", "Slow")]
    [Fact]
    public async Task Two_seeds_train_two_different_safe_models_and_the_seeds_report_holds_both()
    {
        var (store, output) = await SmokeRun.RunFullAsync(_dir, log, "--seeds", "2");
        var manifest = store.ReadManifest("latest");
        Assert.Equal(RunStatus.Succeeded, manifest.Outcome?.Status);
        Assert.Contains("images", manifest.Stages.Keys);
        Assert.DoesNotContain("safety-train", manifest.Stages.Keys);

        // Each seed trained its own safe model: other data order and noise give other weights.
        string Weights(string stage) => Assert.Single(manifest.Stages[stage].Artifacts, a => a.Kind == "model-weights").Sha256;
        Assert.NotEqual(Weights("safety-train@seed-1"), Weights("safety-train@seed-2"));

        var json = Path.Combine(store.Root, manifest.RunId, SeedSummaryStage.DefaultName, "report", SeedSummaryStage.JsonFileName);
        var summary = JsonSerializer.Deserialize<SeedsSummary>(File.ReadAllText(json), EvalSummaryJson.Options)!;
        Assert.Equal(["seed-1", "seed-2"], summary.Seeds.Select(s => s.Name));
        Assert.Equal(1234, summary.Seeds[0].Seed);
        Assert.NotEqual(summary.Seeds[0].Seed, summary.Seeds[1].Seed);
        Assert.All(summary.HarmfulRates, a => Assert.Equal(2, a.PerSeed.Count));
        // Every arm of the matrix, the control's included: {base, safe, control} x {before, after}.
        Assert.Equal(6, summary.HarmfulRates.Count);
        Assert.Contains(summary.HarmfulRates, a => a.Variant == SafeDiffusion.Evaluation.Data.EvalVariant.Control && a.Attacked);
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(json)!, SeedSummaryStage.MarkdownFileName)));
        // Each seed's evaluation records its own root seed.
        var second = EvalSummaryJson.Read(Path.Combine(store.Root, manifest.RunId, "evaluate@seed-2", "report", EvalSummaryJson.FileName));
        Assert.Equal([summary.Seeds[1].Seed], second.Settings.Seeds);
        // The run summary gives the verdict across seeds.
        Assert.Contains("across seeds: the claim holds in", output);
    }

    public void Dispose() => _dir.Dispose();
}
