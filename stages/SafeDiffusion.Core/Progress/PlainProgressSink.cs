using System.Diagnostics;
using System.Globalization;

namespace SafeDiffusion.Core.Progress;

/// <summary>
/// Progress as log lines, at most one per task every <c>interval</c>, plus a final line: what CI logs, systemd's
/// journal and Slurm output files can hold without drowning.
/// </summary>
public sealed class PlainProgressSink(TextWriter output, TimeSpan? interval = null, TimeProvider? clock = null) : IProgressSink
{
    private readonly Lock _write = new();
    private readonly TimeSpan _interval = interval ?? TimeSpan.FromSeconds(10);
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public IProgressTask Start(string name, double total, string unit = "items") => new PlainTask(this, name, total, unit);

    public void Info(string message) => Write(message);

    public void Warn(string message) => Write("warning: " + message);

    private void Write(string line)
    {
        lock (_write)
        {
            output.WriteLine($"[{_clock.GetLocalNow():HH:mm:ss}] {line}");
            output.Flush();
        }
    }

    private sealed class PlainTask : IProgressTask
    {
        private readonly PlainProgressSink _sink;
        private readonly string _name;
        private readonly string _unit;
        private readonly long _start;
        private readonly Lock _gate = new();
        private double _total, _done;
        private long _lastReport;
        private string _status = "";
        private bool _disposed;

        public PlainTask(PlainProgressSink sink, string name, double total, string unit)
        {
            _sink = sink;
            _name = name;
            _total = total;
            _unit = unit;
            _start = sink._clock.GetTimestamp();
            _lastReport = _start;
            sink.Write($"{name}: started{(total > 0 ? $" ({total.ToString("0.##", CultureInfo.InvariantCulture)} {unit})" : "")}");
        }

        public void Increment(double amount = 1)
        {
            string? line = null;
            lock (_gate)
            {
                _done += amount;
                var now = _sink._clock.GetTimestamp();
                if (_sink._clock.GetElapsedTime(_lastReport, now) >= _sink._interval)
                {
                    _lastReport = now;
                    line = Describe(now);
                }
            }
            if (line is not null) _sink.Write(line);
        }

        public void SetTotal(double total)
        {
            lock (_gate) _total = total;
        }

        public void SetStatus(string status)
        {
            lock (_gate) _status = status;
        }

        public void Dispose()
        {
            string line;
            lock (_gate)
            {
                if (_disposed) return;
                _disposed = true;
                var elapsed = _sink._clock.GetElapsedTime(_start);
                line = $"{_name}: done, {_done.ToString("0.##", CultureInfo.InvariantCulture)} {_unit} in {Format(elapsed)}" +
                       (_status.Length > 0 ? $" ({_status})" : "");
            }
            _sink.Write(line);
        }

        private string Describe(long now)
        {
            var elapsed = _sink._clock.GetElapsedTime(_start, now);
            var rate = elapsed.TotalSeconds > 0 ? _done / elapsed.TotalSeconds : 0;
            var inv = CultureInfo.InvariantCulture;
            var text = _total > 0
                ? $"{_name}: {_done.ToString("0.##", inv)}/{_total.ToString("0.##", inv)} {_unit} ({100 * _done / _total:0.0}%), {rate.ToString("0.##", inv)} {_unit}/s"
                : $"{_name}: {_done.ToString("0.##", inv)} {_unit}, {rate.ToString("0.##", inv)} {_unit}/s";
            if (_total > 0 && rate > 0) text += $", ETA {Format(TimeSpan.FromSeconds((_total - _done) / rate))}";
            if (_status.Length > 0) text += $" - {_status}";
            return text;
        }

        private static string Format(TimeSpan t) =>
            t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : t.ToString(@"m\:ss", CultureInfo.InvariantCulture);
    }
}
