using System.Globalization;

namespace SafeDiffusion.Core.IO;

/// <summary>
/// The process that wrote a temp file or folder, as recorded in its name: <c>pid@host</c>. Decides whether a
/// leftover is stale.
/// <para>
/// The rule for shared storage: a process id means something only on the host that issued it. A runs folder or
/// cache on NFS or a cluster file system is written by processes of several hosts, and a pid of another host may
/// belong to a live writer there while naming nothing (or an unrelated process) here. So a leftover is removed at
/// once only when it names this host and a process that no longer runs here. One that names another host, or no
/// host (written before hosts were recorded), is removed only once it has not been written to for
/// <see cref="ForeignStaleAfter"/>, far longer than any single write takes.
/// </para>
/// </summary>
public readonly record struct TempOwner(int ProcessId, string? Host)
{
    /// <summary>How long a leftover of another host (or of an unknown one) is kept after its last write.</summary>
    public static readonly TimeSpan ForeignStaleAfter = TimeSpan.FromHours(24);

    /// <summary>This process on this host.</summary>
    public static TempOwner Current => new(Environment.ProcessId, ThisHost);

    /// <summary>
    /// This host's name as it goes into temp names: letters, digits and dots kept, anything else (a '-' that would
    /// split the name, a '/') replaced by '_'.
    /// </summary>
    public static string ThisHost => Sanitize(Environment.MachineName);

    /// <summary>The owner as written into names: <c>pid@host</c>.</summary>
    public override string ToString() => Host is null
        ? ProcessId.ToString(CultureInfo.InvariantCulture)
        : $"{ProcessId.ToString(CultureInfo.InvariantCulture)}@{Host}";

    /// <summary>Reads <c>pid@host</c>, or a bare <c>pid</c> of older names (host unknown).</summary>
    public static bool TryParse(string text, out TempOwner owner)
    {
        owner = default;
        int at = text.IndexOf('@');
        var pidText = at < 0 ? text : text[..at];
        if (!int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) return false;
        owner = new TempOwner(pid, at < 0 ? null : text[(at + 1)..]);
        return true;
    }

    /// <summary>True for this very process on this host (its own temps are never stale to itself).</summary>
    public bool IsCurrentProcess => Host == ThisHost && ProcessId == Environment.ProcessId;

    /// <summary>Whether a leftover written by this owner, last written at <paramref name="lastWriteUtc"/>, may be removed now.</summary>
    public bool IsStale(DateTime lastWriteUtc, DateTime nowUtc)
    {
        if (Host != ThisHost) return nowUtc - lastWriteUtc > ForeignStaleAfter;
        return ProcessId != Environment.ProcessId && !ProcessLiveness.IsAlive(ProcessId);
    }

    private static string Sanitize(string host) =>
        string.Concat(host.Select(c => char.IsAsciiLetterOrDigit(c) || c == '.' ? c : '_'));
}
