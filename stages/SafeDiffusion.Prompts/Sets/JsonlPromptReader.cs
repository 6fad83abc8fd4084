using System.Runtime.CompilerServices;
using System.Text.Json;
using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Prompts.Sets;

/// <summary>
/// One JSON object per line: the prompt under <c>"prompt"</c> or <c>"text"</c> (or <c>"caption"</c>), and
/// optionally <c>"category"</c>, <c>"seed"</c> and <c>"guidance"</c>. Blank lines are skipped; a line that is not
/// such an object is an <see cref="InputDataException"/> naming the line.
/// </summary>
public static class JsonlPromptReader
{
    public static async IAsyncEnumerable<PromptSetEntry> ReadAsync(string path, [EnumeratorCancellation] CancellationToken ct = default)
    {
        if (!File.Exists(path)) throw new InputDataException(path, "does not exist.", fix: "Check the path in the config.");
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        int lineNumber = 0;
        while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            lineNumber++;
            if (line.Trim().Length == 0) continue;
            var entry = Parse(line, path, lineNumber);
            if (entry is not null) yield return entry;
        }
    }

    private static PromptSetEntry? Parse(string line, string path, int lineNumber)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw new InputDataException(path, $"line {lineNumber} is not valid JSON ({e.Message}).", fix: "Write one JSON object per line.", inner: e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new InputDataException(path, $"line {lineNumber} is not a JSON object.", fix: "Write one JSON object per line, e.g. {\"prompt\": \"...\"}.");
            string? text = null;
            foreach (var key in new[] { "prompt", "text", "caption" })
                if (root.TryGetProperty(key, out var p) && p.ValueKind == JsonValueKind.String) { text = p.GetString(); break; }
            if (text is null)
                throw new InputDataException(path, $"line {lineNumber} has no \"prompt\" or \"text\" string.", "prompt",
                    "Give each line a \"prompt\" (or \"text\") field.");
            if (string.IsNullOrWhiteSpace(text)) return null;
            return new PromptSetEntry(text)
            {
                Category = root.TryGetProperty("category", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null,
                Seed = Seed(root, path, lineNumber),
                Guidance = Number(root, "guidance", path, lineNumber),
            };
        }
    }

    private static long? Seed(JsonElement root, string path, int line)
    {
        if (!root.TryGetProperty("seed", out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var seed)
            ? seed
            : throw new InputDataException(path, $"line {line}: \"seed\" must be a whole number.", "seed", "Fix or remove that line's seed.");
    }

    private static double? Number(JsonElement root, string key, string path, int line)
    {
        if (!root.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind == JsonValueKind.Number
            ? value.GetDouble()
            : throw new InputDataException(path, $"line {line}: \"{key}\" must be a number.", key, "Fix or remove that line's value.");
    }
}
