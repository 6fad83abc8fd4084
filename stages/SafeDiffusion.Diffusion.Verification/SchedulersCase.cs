using System.Text.Json;
using System.Text.Json.Nodes;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Schedulers;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Verification;

/// <summary>
/// <c>schedulers.json</c>: per scheduler name, its config and the reference <c>timesteps_10</c>,
/// <c>timesteps_50</c>, <c>sigmas_*</c> and <c>init_noise_sigma</c>; and, where
/// <c>scheduler_&lt;name&gt;.safetensors</c> exists, a 10-step trajectory from <c>x_init</c> driven by the stand-in
/// model output <c>0.1 * scaled_in_i + sin(t_i / 100)</c>, with noise from a CPU generator seeded 1234.
/// </summary>
public sealed class SchedulersCase : IReferenceCase
{
    public const string FileName = "schedulers.json";
    public const int TrajectorySteps = 10;
    public const long TrajectorySeed = 1234;

    public string Name => "schedulers";

    public bool IsPresent(string casesDirectory) => File.Exists(Path.Combine(casesDirectory, FileName));

    public IReadOnlyList<CaseResult> Run(string modelDirectory, string casesDirectory)
    {
        LibTorchRuntime.EnsureLoadable();
        var path = Path.Combine(casesDirectory, FileName);
        JsonObject root;
        try
        {
            root = JsonNode.Parse(PythonJson.QuoteNonFiniteLiterals(File.ReadAllText(path))) as JsonObject
                   ?? throw new InputDataException(path, "is not a JSON object of schedulers.");
        }
        catch (JsonException e)
        {
            throw new InputDataException(path, $"is not valid JSON ({e.Message}).");
        }

        var results = new List<CaseResult>();
        foreach (var (name, node) in root)
        {
            if (node is not JsonObject entry || entry["config"] is not JsonObject configObject)
                throw new InputDataException(path, "has no config object.", $"{name}.config");
            if (!SchedulerFactory.IsKnown(name))
            {
                results.Add(new CaseResult($"{FileName}:{name}", double.PositiveInfinity, ParityTolerances.Exact, "no scheduler of this name is implemented"));
                continue;
            }
            var config = SchedulerConfig.FromObject(configObject, $"{path} ({name}.config)");
            using var scheduler = SchedulerFactory.Create(name, config);
            results.AddRange(CheckGrids(path, name, entry, scheduler));
            var trajectory = Path.Combine(casesDirectory, $"scheduler_{name}.safetensors");
            if (File.Exists(trajectory)) results.AddRange(CheckTrajectory(trajectory, scheduler));
        }
        return results;
    }

    private static IEnumerable<CaseResult> CheckGrids(string path, string name, JsonObject entry, IScheduler scheduler)
    {
        foreach (var (key, value) in entry)
        {
            if (!key.StartsWith("timesteps_", StringComparison.Ordinal)) continue;
            int steps = StepsOf(path, name, key);
            scheduler.SetTimesteps(steps);
            var expected = Numbers(path, name, key, value);
            // The reference lists timesteps as integers; fractional Euler grids were truncated when written.
            var actual = scheduler.Timesteps.Select(Math.Truncate).ToArray();
            yield return actual.Length != expected.Length
                ? new CaseResult($"{FileName}:{name}.{key}", double.PositiveInfinity, ParityTolerances.Exact, $"{actual.Length} timesteps, expected {expected.Length}")
                : new CaseResult($"{FileName}:{name}.{key}", actual.Zip(expected).Max(p => Math.Abs(p.First - p.Second)), ParityTolerances.Exact);

            var sigmaKey = $"sigmas_{steps}";
            if (entry[sigmaKey] is { } sigmaNode)
            {
                var expectedSigmas = Numbers(path, name, sigmaKey, sigmaNode);
                var sigmas = scheduler.Sigmas;
                yield return sigmas is null || sigmas.Count != expectedSigmas.Length
                    ? new CaseResult($"{FileName}:{name}.{sigmaKey}", double.PositiveInfinity, ParityTolerances.Exact, $"{sigmas?.Count ?? 0} sigmas, expected {expectedSigmas.Length}")
                    : new CaseResult($"{FileName}:{name}.{sigmaKey}", sigmas.Zip(expectedSigmas).Max(p => Math.Abs(p.First - p.Second)),
                        ParityTolerances.Component(expectedSigmas.Max(Math.Abs)));
            }
        }
        if (entry["init_noise_sigma"] is { } sigmaValue)
        {
            scheduler.SetTimesteps(TrajectorySteps);
            double expected = Number(path, name, "init_noise_sigma", sigmaValue);
            yield return new CaseResult($"{FileName}:{name}.init_noise_sigma", Math.Abs(scheduler.InitNoiseSigma - expected),
                ParityTolerances.Component(Math.Abs(expected)));
        }
    }

    private static IEnumerable<CaseResult> CheckTrajectory(string path, IScheduler scheduler)
    {
        using var cases = CaseTensors.Open(path);
        using var generator = new Generator((ulong)TrajectorySeed);
        using var scope = NewDisposeScope();
        scheduler.SetTimesteps(TrajectorySteps);
        var x = cases.Require("x_init", ScalarType.Float32);
        var results = new List<CaseResult>();
        for (int i = 0; i < scheduler.Timesteps.Count; i++)
        {
            double t = scheduler.Timesteps[i];
            var scaled = scheduler.ScaleModelInput(x, t);
            results.Add(cases.Compare($"scaled_in_{i}", scaled, cases.Require($"scaled_in_{i}")));
            var modelOutput = 0.1 * scaled + Math.Sin(t / 100);
            x = scheduler.Step(modelOutput, t, x, generator);
            results.Add(cases.Compare($"x_{i}", x, cases.Require($"x_{i}")));
        }
        return results;
    }

    private static int StepsOf(string path, string name, string key) =>
        int.TryParse(key.AsSpan("timesteps_".Length), out var n) && n > 0
            ? n
            : throw new InputDataException(path, "does not end in a step count.", $"{name}.{key}");

    private static double[] Numbers(string path, string name, string key, JsonNode? node)
    {
        if (node is not JsonArray array) throw new InputDataException(path, "is not a list of numbers.", $"{name}.{key}");
        return array.Select(v => Number(path, name, key, v)).ToArray();
    }

    private static double Number(string path, string name, string key, JsonNode? node)
    {
        try
        {
            return node is JsonValue v && v.GetValueKind() == JsonValueKind.Number
                ? v.GetValue<double>()
                : throw new InputDataException(path, "is not a number.", $"{name}.{key}");
        }
        catch (FormatException)
        {
            throw new InputDataException(path, "is not a number.", $"{name}.{key}");
        }
    }
}
