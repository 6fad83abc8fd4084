using SafeDiffusion.Pipeline.Cli;
using SafeDiffusion.Pipeline.Graphs;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Pipeline.Tests.Commands;

/// <summary>`pipeline schedule systemd` over the shipped configs/nightly.yaml, and its refusals.</summary>
public sealed class ScheduleCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new("schedule-command");

    private async Task<(int Code, string Out, string Err)> Pipeline(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CliHost.RunAsync(args, CliEnvironment.ForTest(output, error, _dir.Path));
        return (code, output.ToString(), error.ToString());
    }

    private string ShippedNightly()
    {
        var path = _dir.File("nightly.yaml");
        File.WriteAllText(path, EmbeddedConfigs.Read("nightly.yaml"));
        return path;
    }

    [Fact]
    public void The_shipped_nightly_config_binds_completely_including_its_schedule()
    {
        var loaded = LoadedConfig.Load(ShippedNightly(), [], _dir.Path);
        var configs = PipelineComposition.BindAll(loaded);
        Assert.NotNull(configs["images"]);
        var schedule = Scheduling.Configuration.ScheduleConfig.Bind(loaded.Config, loaded.Document);
        Assert.Equal(("0 2 * * *", "Europe/Berlin", 7), (schedule.Cron, schedule.TimeZone, schedule.KeepRuns));
    }

    [Fact]
    public async Task Systemd_prints_a_oneshot_data_run_and_a_persistent_timer_for_the_nightly_config()
    {
        var config = ShippedNightly();
        var (code, output, error) = await Pipeline("schedule", "systemd", "--config", config, "--user");
        Assert.True(code == 0, error);
        var lines = output.Split('\n', StringSplitOptions.TrimEntries);
        Assert.Contains("Type=oneshot", lines);
        Assert.Contains(lines, l => l.StartsWith("ExecStart=", StringComparison.Ordinal) && l.EndsWith($" run data --config {config}", StringComparison.Ordinal));
        Assert.Contains($"WorkingDirectory={_dir.Path}", lines);
        Assert.Contains("OnCalendar=*-*-* 02:00:00 Europe/Berlin", lines);
        Assert.Contains("Persistent=true", lines);
        Assert.Contains("# ---- ~/.config/systemd/user/safediffusion-nightly.timer ----", lines);
    }

    [Fact]
    public async Task Systemd_writes_the_two_files_when_asked()
    {
        var (code, _, error) = await Pipeline("schedule", "systemd", "--config", ShippedNightly(), "--output-dir", _dir.File("units"), "--name", "sd-data");
        Assert.True(code == 0, error);
        Assert.Contains("OnCalendar=*-*-* 02:00:00 Europe/Berlin", File.ReadAllText(_dir.File("units", "sd-data.timer")));
        Assert.Contains("Unit=sd-data.service", File.ReadAllText(_dir.File("units", "sd-data.timer")));
        Assert.Contains("Type=oneshot", File.ReadAllText(_dir.File("units", "sd-data.service")));
    }

    [Fact]
    public async Task A_cron_systemd_cannot_express_is_refused_with_exit_code_2()
    {
        var config = ShippedNightly();
        File.WriteAllText(config, File.ReadAllText(config).Replace("cron: \"0 2 * * *\"", "cron: \"0 2 1 * 1\""));
        var (code, _, error) = await Pipeline("schedule", "systemd", "--config", config);
        Assert.Equal(2, code);
        Assert.Contains("0 2 1 * 1", error);
        Assert.Contains("day-of-month and day-of-week", error);
    }

    [Fact]
    public async Task Serve_without_a_schedule_section_says_what_to_add()
    {
        File.WriteAllText(_dir.File("plain.yaml"), "name: plain\n");
        var (code, _, error) = await Pipeline("serve", "--config", _dir.File("plain.yaml"));
        Assert.Equal(2, code);
        Assert.Contains("schedule:", error);
        Assert.Contains("cron:", error);
    }

    public void Dispose() => _dir.Dispose();
}
