using System.Text.Json;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Schedulers;

namespace SafeDiffusion.Diffusion.Verification;

/// <summary>The settings half of a txt2img case (<c>txt2img.json</c>).</summary>
public sealed record Txt2ImgCaseSettings(string Path, string Scheduler, int Steps, double GuidanceScale, double? VaeScalingFactor, long? Seed)
{
    public static Txt2ImgCaseSettings Read(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new InputDataException(path, "is not a JSON object.");
            string scheduler = root.TryGetProperty("scheduler", out var s) && s.ValueKind == JsonValueKind.String
                ? s.GetString()!
                : throw new InputDataException(path, "has no scheduler name.", "scheduler");
            if (!SchedulerFactory.IsKnown(scheduler))
                throw new InputDataException(path, $"names scheduler '{scheduler}'; known: {string.Join(", ", SchedulerFactory.Names)}.", "scheduler");
            int steps = root.TryGetProperty("steps", out var n) && n.TryGetInt32(out var stepCount) && stepCount > 0
                ? stepCount
                : throw new InputDataException(path, "has no positive integer step count.", "steps");
            double guidance = root.TryGetProperty("guidance_scale", out var g) && g.TryGetDouble(out var scale)
                ? scale
                : throw new InputDataException(path, "has no guidance scale.", "guidance_scale");
            double? factor = root.TryGetProperty("vae_scaling_factor", out var f) && f.TryGetDouble(out var value) ? value : null;
            long? seed = root.TryGetProperty("seed", out var sd) && sd.TryGetInt64(out var seedValue) && seedValue >= 0 ? seedValue : null;
            return new Txt2ImgCaseSettings(path, scheduler, steps, guidance, factor, seed);
        }
        catch (JsonException e)
        {
            throw new InputDataException(path, $"is not valid JSON ({e.Message}).");
        }
    }
}
