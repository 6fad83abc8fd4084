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

    [Fact]
    public void Run_files_and_folders_are_owner_and_group_only_by_default()
    {
        if (OperatingSystem.IsWindows()) return;
        using var dir = new TempDirectory();
        var store = new RunStore(dir.File("runs"));
        var (doc, cfg) = Config();
        using var run = store.Create(doc, cfg);
        var stage = run.StageDirectory("images");

        const UnixFileMode rw_r_____ = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        const UnixFileMode rwxr_x___ = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                                       | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;
        Assert.Equal(rwxr_x___, File.GetUnixFileMode(store.Root));
        Assert.Equal(rwxr_x___, File.GetUnixFileMode(run.Directory));
        Assert.Equal(rwxr_x___, File.GetUnixFileMode(stage));
        Assert.Equal(rw_r_____, File.GetUnixFileMode(run.ManifestPath));
        Assert.Equal(rw_r_____, File.GetUnixFileMode(Path.Combine(run.Directory, "config.yaml")));
        Assert.Equal(rw_r_____, File.GetUnixFileMode(Path.Combine(run.Directory, ".lock.owner")));
    }

    [Fact]
    public void Configured_modes_are_used_and_bad_ones_are_config_errors()
    {
        var doc = ConfigDocument.Parse("runs: { file-mode: '0600', folder-mode: '0700' }\n", "t.yaml");
        var binder = new ConfigBinder("t.yaml");
        var cfg = binder.Bind<PipelineConfig>(doc.Root, "");
        binder.ThrowIfAny();
        var modes = RunFileModes.From(cfg.Runs);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, modes.File);
        Assert.Equal(Convert.ToUInt32("077", 8), modes.Umask);
        Assert.Equal(Convert.ToUInt32("027", 8), RunFileModes.Default.Umask);

        var bad = ConfigDocument.Parse("runs: { file-mode: '0648' }\n", "t.yaml");
        var badBinder = new ConfigBinder("t.yaml");
        badBinder.Bind<PipelineConfig>(bad.Root, "");
        var e = Assert.Throws<ConfigException>(badBinder.ThrowIfAny);
        Assert.Equal("runs.fileMode", Assert.Single(e.Issues).KeyPath);
    }

    [Fact]
    public void A_failure_after_the_lock_is_taken_releases_it()
    {
        using var dir = new TempDirectory();
        var store = new RunStore(dir.File("runs"));
        var (doc, cfg) = Config();
        // A directory where the 'latest' pointer goes makes Create fail after it took the new run's lock.
        Directory.CreateDirectory(Path.Combine(store.Root, RunStore.Latest, "occupied"));

        Assert.ThrowsAny<IOException>(() => store.Create(doc, cfg));

        var runDir = Assert.Single(Directory.EnumerateDirectories(store.Root), d => char.IsAsciiDigit(Path.GetFileName(d)[0]));
        Assert.False(RunLock.IsHeld(runDir));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("../outside")]
    [InlineData("a/b")]
    [InlineData("")]
    [InlineData("missing")]
    public void Only_real_folders_directly_inside_the_runs_folder_resolve(string folderId)
    {
        using var dir = new TempDirectory();
        var store = new RunStore(dir.File("runs"));
        Directory.CreateDirectory(dir.File("outside"));
        Directory.CreateDirectory(Path.Combine(store.Root, "a", "b"));
        Assert.Null(store.FolderInside(folderId));
    }

    [Fact]
    public void A_link_in_the_runs_folder_is_not_a_run_folder()
    {
        using var dir = new TempDirectory();
        var store = new RunStore(dir.File("runs"));
        Directory.CreateDirectory(dir.File("outside"));
        Directory.CreateDirectory(Path.Combine(store.Root, "real"));
        Directory.CreateSymbolicLink(Path.Combine(store.Root, "link"), dir.File("outside"));
        Assert.Equal(Path.Combine(store.Root, "real"), store.FolderInside("real"));
        Assert.Null(store.FolderInside("link"));
    }
}
