using System.Text.Json;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.ModelFolder;
using SafeDiffusion.Diffusion.Safetensors;
using SafeDiffusion.Diffusion.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Verification;

/// <summary>
/// <c>safety_checker.json</c> (per image: concept_scores, special_scores, bad_concepts, has_nsfw_concepts) for the
/// <c>pixel_values</c> of <c>clip_vision.safetensors</c>. Scores are rounded to 3 places on both sides, so they
/// must agree within one rounding step (<see cref="ParityTolerances.SafetyScore"/>); concept lists and flags must agree exactly.
/// </summary>
public sealed class SafetyCheckerCase : IReferenceCase
{
    public const string FileName = "safety_checker.json";

    public string Name => "safety_checker";

    public bool IsPresent(string casesDirectory) =>
        File.Exists(Path.Combine(casesDirectory, FileName)) && File.Exists(Path.Combine(casesDirectory, ClipVisionCase.FileName));

    public IReadOnlyList<CaseResult> Run(string modelDirectory, string casesDirectory)
    {
        var path = Path.Combine(casesDirectory, FileName);
        using var doc = CaseFiles.ReadJson(path);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new InputDataException(path, "is not a JSON object.");
        var expectedConcepts = Matrix(path, root, "concept_scores");
        var expectedSpecial = Matrix(path, root, "special_scores");
        var expectedBad = Matrix(path, root, "bad_concepts");
        var expectedFlags = Flags(path, root, "has_nsfw_concepts");

        IReadOnlyList<SafetyCheckResult> actual;
        using (var file = CaseTensors.Open(Path.Combine(casesDirectory, ClipVisionCase.FileName)))
        using (var checker = StableDiffusionSafetyChecker.FromFolder(
                   CaseFiles.ComponentDirectory(modelDirectory, StableDiffusionComponents.SafetyChecker), ScalarType.Float32, torch.CPU))
        using (var pixels = file.Require("pixel_values"))
        {
            actual = checker.Check(pixels);
        }
        foreach (var (name, count) in new[] { ("concept_scores", expectedConcepts.Count), ("special_scores", expectedSpecial.Count),
                     ("bad_concepts", expectedBad.Count), ("has_nsfw_concepts", expectedFlags.Count) })
            if (count != actual.Count)
                throw new InputDataException(path, $"has {count} images but pixel_values in {ClipVisionCase.FileName} has {actual.Count}.", name);

        return
        [
            ScoreResult("concept_scores", expectedConcepts, actual.Select(r => r.ConceptScores).ToList()),
            ScoreResult("special_scores", expectedSpecial, actual.Select(r => r.SpecialScores).ToList()),
            new CaseResult($"{FileName}:bad_concepts",
                expectedBad.Zip(actual).Count(p => !p.First.Select(v => (int)v).SequenceEqual(p.Second.BadConcepts)), ParityTolerances.Exact,
                "images whose flagged concepts differ"),
            new CaseResult($"{FileName}:has_nsfw_concepts",
                expectedFlags.Zip(actual).Count(p => p.First != p.Second.HasNsfwConcept), ParityTolerances.Exact, "images whose flag differs"),
        ];
    }

    private static CaseResult ScoreResult(string name, IReadOnlyList<IReadOnlyList<double>> expected, IReadOnlyList<IReadOnlyList<double>> actual)
    {
        double error = 0;
        for (int i = 0; i < expected.Count; i++)
        {
            if (expected[i].Count != actual[i].Count)
                return new CaseResult($"{FileName}:{name}", double.NaN, ParityTolerances.SafetyScore, $"image {i}: {actual[i].Count} scores, reference has {expected[i].Count}");
            for (int j = 0; j < expected[i].Count; j++) error = Math.Max(error, Math.Abs(expected[i][j] - actual[i][j]));
        }
        return new CaseResult($"{FileName}:{name}", error, ParityTolerances.SafetyScore);
    }

    private static IReadOnlyList<IReadOnlyList<double>> Matrix(string path, JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var rows) || rows.ValueKind != JsonValueKind.Array)
            throw new InputDataException(path, "is missing or not a list per image.", name);
        return rows.EnumerateArray().Select((row, i) => row.ValueKind == JsonValueKind.Array
            ? (IReadOnlyList<double>)row.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Number ? v.GetDouble()
                : throw new InputDataException(path, $"holds {v.GetRawText()}, not a number.", $"{name}[{i}]")).ToList()
            : throw new InputDataException(path, "is not a list.", $"{name}[{i}]")).ToList();
    }

    private static IReadOnlyList<bool> Flags(string path, JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var values) || values.ValueKind != JsonValueKind.Array)
            throw new InputDataException(path, "is missing or not a list of booleans.", name);
        return values.EnumerateArray().Select((v, i) => v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new InputDataException(path, $"holds {v.GetRawText()}, not a boolean.", $"{name}[{i}]"),
        }).ToList();
    }
}
