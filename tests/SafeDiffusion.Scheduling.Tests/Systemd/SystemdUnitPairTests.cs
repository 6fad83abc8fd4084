using SafeDiffusion.Scheduling.Systemd;

namespace SafeDiffusion.Scheduling.Tests.Systemd;

public sealed class SystemdUnitPairTests
{
    private static SystemdUnitRequest Request(bool user) => new(
        "safediffusion-nightly", "/opt/sd/pipeline run data --config /srv/sd/configs/nightly.yaml", "/srv/sd", "30 4 * * 1-5",
        "Europe/Berlin", TimeSpan.FromMinutes(2), user, "sd", "/srv/sd/configs/nightly.yaml",
        ["/srv/sd/runs", "/srv/sd/cache dir"], "0027");

    [Fact]
    public void The_service_is_a_oneshot_data_run_and_the_timer_is_persistent_on_the_translated_calendar()
    {
        var pair = SystemdUnitPair.Render(Request(user: false));

        var service = Lines(pair.ServiceText);
        Assert.Contains("Type=oneshot", service);
        Assert.Contains("ExecStart=/opt/sd/pipeline run data --config /srv/sd/configs/nightly.yaml", service);
        Assert.Contains("WorkingDirectory=/srv/sd", service);
        Assert.Contains("User=sd", service);
        Assert.Contains("TimeoutStopSec=120", service);
        var timer = Lines(pair.TimerText);
        Assert.Contains("OnCalendar=Mon..Fri *-*-* 04:30:00 Europe/Berlin", timer);
        Assert.Contains("Persistent=true", timer);
        Assert.Contains("Unit=safediffusion-nightly.service", timer);
        Assert.Contains("WantedBy=timers.target", timer);
        Assert.Equal("/etc/systemd/system", pair.InstallDirectory);
    }

    [Fact]
    public void A_user_unit_has_no_user_line_and_installs_under_the_home_folder()
    {
        var pair = SystemdUnitPair.Render(Request(user: true));
        Assert.DoesNotContain(Lines(pair.ServiceText), l => l.StartsWith("User=", StringComparison.Ordinal));
        Assert.Equal("~/.config/systemd/user", pair.InstallDirectory);
        Assert.Contains("systemctl --user enable --now safediffusion-nightly.timer", pair.Describe(user: true));
    }

    [Fact]
    public void The_service_is_hardened_and_may_write_only_the_runs_folder_and_the_cache()
    {
        var service = Lines(SystemdUnitPair.Render(Request(user: false)).ServiceText);
        foreach (var setting in new[]
                 {
                     "NoNewPrivileges=true", "ProtectSystem=strict", "ProtectHome=read-only", "PrivateTmp=true", "UMask=0027",
                     "ProtectKernelTunables=true", "ProtectKernelModules=true", "ProtectControlGroups=true", "RestrictSUIDSGID=true",
                     "LockPersonality=true", "RestrictNamespaces=true",
                 })
            Assert.Contains(setting, service);
        Assert.Equal(["ReadWritePaths=/srv/sd/runs", "ReadWritePaths=\"/srv/sd/cache dir\""],
            service.Where(l => l.StartsWith("ReadWritePaths=", StringComparison.Ordinal)));
        // .NET's JIT writes executable memory; this setting would stop the service at its first method call.
        Assert.DoesNotContain(service, l => l.StartsWith("MemoryDenyWriteExecute=", StringComparison.Ordinal));
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.TrimEntries);
}
