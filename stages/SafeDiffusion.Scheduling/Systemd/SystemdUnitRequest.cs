namespace SafeDiffusion.Scheduling.Systemd;

/// <summary>What the systemd pair runs: the command line, where, as whom, and on which calendar.</summary>
/// <param name="Name">Unit name without suffix, e.g. <c>safediffusion-nightly</c>.</param>
/// <param name="ExecStart">The full command line of the oneshot service (absolute program path first).</param>
/// <param name="WorkingDirectory">Where the command runs (relative config and runs paths are read from here).</param>
/// <param name="User">True for a user unit (<c>systemctl --user</c>), false for a system unit.</param>
/// <param name="RunAs">For system units: the account the service runs as.</param>
/// <param name="WritablePaths">The only paths the service may write (the runs folder, the tiny world's cache);
/// everything else is read-only to it.</param>
/// <param name="Umask">The umask for what it writes, octal (<c>0027</c>: files 0640, folders 0750).</param>
public sealed record SystemdUnitRequest(
    string Name,
    string ExecStart,
    string WorkingDirectory,
    string Cron,
    string TimeZone,
    TimeSpan StopTimeout,
    bool User,
    string? RunAs,
    string ConfigPath,
    IReadOnlyList<string> WritablePaths,
    string Umask = "0027");
