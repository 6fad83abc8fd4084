using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Core.Tests.Runs;

public class RunStoreTests
{
    private static (ConfigDocument, PipelineConfig) Config()
    {
        var doc = ConfigDocument.Parse("name: Tiny Test\nseed: 7\n", "t.yaml");
        return (doc, new ConfigBinder("t.yaml").Bind<PipelineConfig>(doc.Root, ""));
    }

    [Fact]
    public void A_new_run_has_a_manifest_with_the_config_snapshot_hash_and_code_version()
    {
        using var dir = new TempDirectory();
        var store = new RunStore(dir.File("runs"));
        var (doc, cfg) = Config();
        using (var run = store.Create(doc, cfg))
        {
            Assert.Contains("tiny-test", run.Id);
            Assert.True(File.Exists(Path.Combine(run.Directory, "config.yaml")));
        }
        var manifest = store.ReadManifest("latest");
        Assert.Equal(doc.Sha256(), manifest.ConfigSha256);
        Assert.Contains("seed: 7", manifest.ConfigSnapshot);
        Assert.False(string.IsNullOrEmpty(manifest.CodeVersion));
    }

    [Fact]
    public void A_second_writer_of_the_same_run_is_refused_while_the_first_holds_it()
    {
        using var dir = new TempDirectory();
        var store = new RunStore(dir.File("runs"));
        var (doc, cfg) = Config();
        using var first = store.Create(doc, cfg);

        var e = Assert.Throws<PipelineException>(() => store.Open(first.Id));
        Assert.Equal(ExitCodes.Locked, e.ExitCode);
        Assert.Contains(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);

        first.Dispose();
        using var again = store.Open(first.Id);
        Assert.Equal(first.Id, again.Id);
    }

    [Fact]
    public void Pointers_switch_atomically_and_resolve_to_run_ids()
    {
        using var dir = new TempDirectory();
        var store = new RunStore(dir.File("runs"));
        var (doc, cfg) = Config();
        string a, b;
        using (var r = store.Create(doc, cfg)) a = r.Id;
        using (var r = store.Create(doc, cfg)) b = r.Id;
        Assert.Equal(b, store.Resolve("latest"));

        store.PointTo("latest-data", a);
        Assert.Equal(a, store.ReadPointer("latest-data"));
        Assert.Equal(a, store.Resolve("latest-data"));
        Assert.Equal(2, store.List().Count());
    }

    [Fact]
    public void An_unknown_run_id_lists_recent_runs()
    {
        using var dir = new TempDirectory();
        var store = new RunStore(dir.File("runs"));
        var e = Assert.Throws<UsageException>(() => store.Resolve("nope"));
        Assert.Contains("pipeline run full", e.Message);
    }

    [Fact]
    public void Stage_updates_are_written_to_disk_as_whole_files()
    {
        using var dir = new TempDirectory();
        var store = new RunStore(dir.File("runs"));
        var (doc, cfg) = Config();
        using var run = store.Create(doc, cfg);
        run.UpdateStage("images", r => r with { Status = StageStatus.Running, Metrics = new Dictionary<string, double> { ["rows"] = 3 } });

        var onDisk = store.ReadManifest(run.Id);
        Assert.Equal(StageStatus.Running, onDisk.Stages["images"].Status);
        Assert.Equal(3, onDisk.Stages["images"].Metrics["rows"]);
        Assert.Empty(Directory.EnumerateFiles(run.Directory, ".*tmp-*"));
    }

    [Fact]
    public void A_run_is_active_only_while_a_writer_holds_it_and_its_outcome_is_kept_in_the_manifest()
    {
        using var dir = new TempDirectory();
        var store = new RunStore(dir.File("runs"));
        var (doc, cfg) = Config();
        string id;
        using (var run = store.Create(doc, cfg))
        {
            id = run.Id;
            Assert.True(store.IsActive(id));
            run.RecordOutcome(new RunOutcome { Status = RunStatus.Failed, FinishedUtc = DateTimeOffset.UnixEpoch, Error = "disk full", Trigger = RunTrigger.Scheduled });
        }
        Assert.False(store.IsActive(id));
        var outcome = store.ReadManifest(id).Outcome!;
        Assert.Equal((RunStatus.Failed, "disk full", RunTrigger.Scheduled), (outcome.Status, outcome.Error, outcome.Trigger));
    }

    [Fact]
    public void Hidden_folders_such_as_runs_being_deleted_are_not_listed()
    {
        using var dir = new TempDirectory();
        var store = new RunStore(dir.File("runs"));
        var (doc, cfg) = Config();
        string id;
        using (var run = store.Create(doc, cfg)) id = run.Id;
        Directory.Move(Path.Combine(store.Root, id), Path.Combine(store.Root, $".deleting-{id}"));
        Assert.Empty(store.List());
    }
}
