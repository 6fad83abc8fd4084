using System.Text.Json;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.ModelFolder;
using SafeDiffusion.Diffusion.Tokenization;

namespace SafeDiffusion.Diffusion.Verification;

/// <summary>
/// <c>tokenizer.json</c>: a list of { text, ids, padded }. Token ids must match exactly, so each entry reports the
/// number of mismatching positions (a length difference counts per missing or extra id) against a tolerance of 0.
/// </summary>
public sealed class TokenizerCase : IReferenceCase
{
    public const string FileName = "tokenizer.json";

    public string Name => "tokenizer";

    public bool IsPresent(string casesDirectory) => File.Exists(Path.Combine(casesDirectory, FileName));

    public IReadOnlyList<CaseResult> Run(string modelDirectory, string casesDirectory)
    {
        var path = Path.Combine(casesDirectory, FileName);
        var tokenizer = ClipTokenizer.FromFolder(CaseFiles.ComponentDirectory(modelDirectory, StableDiffusionComponents.Tokenizer));
        using var doc = CaseFiles.ReadJson(path);
        if (doc.RootElement.ValueKind != JsonValueKind.Array) throw new InputDataException(path, "is not a JSON list of cases.");
        var results = new List<CaseResult>();
        int index = 0;
        foreach (var entry in doc.RootElement.EnumerateArray())
        {
            var text = StringField(path, entry, index, "text");
            var ids = IdsField(path, entry, index, "ids");
            var padded = IdsField(path, entry, index, "padded");
            var encoded = tokenizer.Encode(text);
            int mismatches = Mismatches(ids, encoded.UnpaddedIds) + Mismatches(padded, encoded.InputIds);
            var shown = text.Length > 40 ? text[..40] + "..." : text;
            results.Add(new CaseResult($"{FileName}[{index}]", mismatches, ParityTolerances.Exact, $"\"{shown}\""));
            index++;
        }
        return results;
    }

    private static int Mismatches(IReadOnlyList<long> expected, IReadOnlyList<long> actual) =>
        Math.Abs(expected.Count - actual.Count) + expected.Zip(actual).Count(p => p.First != p.Second);

    private static string StringField(string path, JsonElement entry, int index, string name) =>
        entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : throw new InputDataException(path, "is missing or not a string.", $"[{index}].{name}");

    private static IReadOnlyList<long> IdsField(string path, JsonElement entry, int index, string name)
    {
        if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.Array)
            throw new InputDataException(path, "is missing or not a list of ids.", $"[{index}].{name}");
        return v.EnumerateArray().Select(e => e.TryGetInt64(out var id) ? id
            : throw new InputDataException(path, $"holds {e.GetRawText()}, not an integer id.", $"[{index}].{name}")).ToList();
    }
}
