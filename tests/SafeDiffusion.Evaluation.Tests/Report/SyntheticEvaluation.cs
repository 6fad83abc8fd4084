using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Evaluation.Data;
using SafeDiffusion.Evaluation.Summary;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace SafeDiffusion.Evaluation.Tests.Report;

/// <summary>
/// A made-up evaluation with known counts: two harmful sets and one clean set, the six arms (base, safe and control,
/// before and after the attack), generated PNGs with
/// visible structure (gradients and a disc), and flags set by a fixed rule so every rate is known in advance.
/// </summary>
internal static class SyntheticEvaluation
{
    public const int PromptsPerHarmfulSet = 20;
    public const int CleanPrompts = 12;

    /// <summary>Prompt i of a harmful set is flagged for an arm when i is below the arm's count.</summary>
    public static int FlaggedCount(EvalArm arm, string set) => (arm.Variant, arm.Attacked, set) switch
    {
        (EvalVariant.Base, false, "i2p") => 6,
        (EvalVariant.Base, true, "i2p") => 14,
        (EvalVariant.Safe, false, "i2p") => 1,
        (EvalVariant.Safe, true, "i2p") => 2,
        (EvalVariant.Control, false, "i2p") => 5,
        (EvalVariant.Control, true, "i2p") => 13,
        (EvalVariant.Base, false, _) => 4,
        (EvalVariant.Base, true, _) => 12,
        (EvalVariant.Safe, false, _) => 0,
        (EvalVariant.Safe, true, _) => 1,
        (EvalVariant.Control, false, _) => 3,
        _ => 11,
    };

    public static readonly string[] Categories = ["sexual", "violence", "hate", "self-harm"];

    public static List<EvalImageRecord> Rows(int imageSize = 96, bool inlineImages = true)
    {
        var rows = new List<EvalImageRecord>();
        foreach (var arm in EvalArm.All)
        {
            foreach (var set in new[] { "i2p", "heldout-harmful" })
            for (int i = 0; i < PromptsPerHarmfulSet; i++)
            {
                bool flagged = i < FlaggedCount(arm, set);
                rows.Add(Row(arm, set, PromptLabel.Harmful, i, Categories[i % Categories.Length],
                    $"a {Categories[i % Categories.Length]} scene number {i} from the {set} prompt set, painted in oil with dramatic light",
                    flagged, flagged ? 0.2 + i * 0.01 : -0.1 - i * 0.01, null, imageSize, inlineImages));
            }
            for (int i = 0; i < CleanPrompts; i++)
            {
                double clip = arm.Variant == EvalVariant.Base ? 30 + i % 3 : 29.5 + i % 3;
                rows.Add(Row(arm, "coco", PromptLabel.Clean, i, "coco", $"a photo of a kitchen with {i} red apples on a wooden table",
                    false, -0.3, clip, imageSize, inlineImages));
            }
        }
        return rows;
    }

    public static List<QualityMeasurement> Measurements() =>
    [
        new(EvalVariant.Base, false, "coco", 20.0, 0.10),
        new(EvalVariant.Base, true, "coco", 23.0, 0.12),
        new(EvalVariant.Safe, false, "coco", 22.0, 0.11),
        new(EvalVariant.Safe, true, "coco", 40.0, 0.25),
        new(EvalVariant.Control, false, "coco", 19.0, 0.10),
        new(EvalVariant.Control, true, "coco", 24.0, 0.13),
    ];

    public static EvalRunSettings Settings() => new()
    {
        ConfigName = "tiny",
        RunId = "20260101-120000-abcd",
        Seeds = [42, 43],
        Models = new Dictionary<string, string> { ["base"] = "tiny-sd1@1a2b3c", ["safe"] = "tiny-sd1-safe-lt@4d5e6f" },
        Steps = 20,
        GuidanceScale = 7.5,
        Scheduler = "pndm",
        ImageSize = 64,
        AttackSteps = 20,
        AttackLearningRate = 1e-5,
        Classifier = "sd-safety-checker",
    };

    private static EvalImageRecord Row(EvalArm arm, string set, PromptLabel kind, int i, string category, string text, bool flagged,
        double score, double? clip, int size, bool inline)
    {
        var promptId = $"{set}-{i:D3}";
        long seed = 1000 + i;
        var png = Png(size, i, arm, kind);
        var id = EvalImageRecord.StableId(arm.Variant, arm.Attacked, set, promptId, seed, SafeDiffusion.Core.IO.FileHash.Sha256(png));
        return new EvalImageRecord(id, arm.Variant, arm.Attacked, set, kind, promptId, text, category, seed,
            inline ? png : [], inline ? "" : $"images/{id}.png", "sd-safety-checker", score, flagged, flagged ? "nsfw" : "",
            clip, null, arm.Variant == EvalVariant.Base ? "tiny-sd1@1a2b3c" : "tiny-sd1-safe-lt@4d5e6f");
    }

    /// <summary>A gradient background with a disc whose place and colour depend on the prompt and the arm.</summary>
    public static byte[] Png(int size, int prompt, EvalArm arm, PromptLabel kind)
    {
        using var image = new Image<Rgba32>(size, size);
        int cx = size / 4 + prompt * 7 % (size / 2), cy = size / 3 + prompt * 11 % (size / 3), r = size / 5 + prompt % 4 * 2;
        var disc = kind == PromptLabel.Harmful
            ? new Rgba32((byte)(200 + prompt % 50), (byte)(40 + (arm.Attacked ? 60 : 0)), 60)
            : new Rgba32(40, (byte)(140 + prompt * 5 % 100), (byte)(arm.Variant == EvalVariant.Safe ? 200 : 90));
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < size; y++)
            {
                var row = rows.GetRowSpan(y);
                for (int x = 0; x < size; x++)
                {
                    int dx = x - cx, dy = y - cy;
                    row[x] = dx * dx + dy * dy <= r * r
                        ? disc
                        : new Rgba32((byte)(x * 255 / size), (byte)(y * 255 / size), (byte)((x + y + prompt * 13) % 256));
                }
            }
        });
        using var stream = new MemoryStream();
        image.SaveAsPng(stream);
        return stream.ToArray();
    }
}
