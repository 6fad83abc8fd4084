using System.Globalization;
using System.Text;
using SafeDiffusion.Core.IO;
using SafeDiffusion.Training.Engine;

namespace SafeDiffusion.Training.Metrics;

/// <summary>
/// Per-step metrics as CSV (<see cref="Header"/>), one line appended and flushed per step so a long run can be
/// followed while it trains. Opening it for a resumed run keeps the lines up to the resumed step and drops the rest
/// (including a line a killed run may have left half written). The centre columns are empty for methods without
/// centres; a log written before they existed (13 columns) still reads, without them.
/// </summary>
public sealed class TrainingMetricsLog : IDisposable
{
    public static readonly IReadOnlyList<string> Columns =
        ["step", "epoch", "loss", "l_mse", "l_c", "dist_own", "dist_other", "centre_distance", "lr", "grad_norm", "clean_rows", "harmful_rows", "seconds",
         "clean_centre_norm", "clean_centre_ones", "harmful_centre_norm", "harmful_centre_ones", "centre_gap_ones_share"];

    /// <summary>The columns of logs written before the centre geometry was logged.</summary>
    private const int ColumnsWithoutCentres = 13;

    public static string Header => string.Join(',', Columns);

    private readonly StreamWriter _writer;
    private readonly List<StepMetrics> _steps;

    /// <param name="keepThroughStep">Steps already trained (0 for a fresh run): earlier lines are kept, later ones dropped.</param>
    public TrainingMetricsLog(string path, int keepThroughStep)
    {
        Path = path;
        _steps = File.Exists(path) ? Read(path).Where(m => m.Step <= keepThroughStep).ToList() : [];
        var text = new StringBuilder(Header).Append('\n');
        foreach (var m in _steps) text.Append(Line(m)).Append('\n');
        AtomicFile.WriteAllText(path, text.ToString());
        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
    }

    public string Path { get; }

    /// <summary>Every step logged so far, including those kept from before a resume.</summary>
    public IReadOnlyList<StepMetrics> Steps => _steps;

    public void Append(StepMetrics metrics)
    {
        _steps.Add(metrics);
        _writer.Write(Line(metrics));
        _writer.Write('\n');
        _writer.Flush();
    }

    public static IReadOnlyList<StepMetrics> Read(string path)
    {
        var steps = new List<StepMetrics>();
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var f = line.Split(',');
            if (f.Length != Columns.Count && f.Length != ColumnsWithoutCentres) continue;
            try
            {
                var centres = f.Length == Columns.Count && f[13].Length > 0
                    ? new Objectives.CentreGeometry(D(f[13]), D(f[14]), D(f[15]), D(f[16]), D(f[17]))
                    : null;
                steps.Add(new StepMetrics(Int(f[0]), Int(f[1]), D(f[2]), D(f[3]), D(f[4]), D(f[5]), D(f[6]), D(f[7]), D(f[8]), D(f[9]),
                    Int(f[10]), Int(f[11]), D(f[12]), centres));
            }
            catch (FormatException)
            {
                // A line cut short by a kill: it is dropped and the step is trained again.
            }
        }
        return steps;
    }

    private static string Line(StepMetrics m) => string.Join(',', new[]
    {
        I(m.Step), I(m.Epoch), R(m.Loss), R(m.Mse), R(m.Contrast), R(m.DistanceOwn), R(m.DistanceOther), R(m.CentreDistance),
        R(m.LearningRate), R(m.GradNorm), I(m.CleanRows), I(m.HarmfulRows), m.Seconds.ToString("F4", CultureInfo.InvariantCulture),
    }.Concat(CentreFields(m.Centres)));

    private static IEnumerable<string> CentreFields(Objectives.CentreGeometry? c) =>
        c is null ? Enumerable.Repeat("", 5) : [R(c.CleanNorm), R(c.CleanOnes), R(c.HarmfulNorm), R(c.HarmfulOnes), R(c.GapOnesShare)];

    private static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);
    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
    private static double D(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
    private static int Int(string s) => int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture);

    public void Dispose() => _writer.Dispose();
}
