using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Prompts.Sets;

/// <summary>
/// Reads COCO captions annotation JSON (<c>captions_val2014.json</c> and friends): every
/// <c>annotations[].caption</c>, with its <c>image_id</c> (and annotation <c>id</c>) kept as attributes so an
/// evaluation can find the reference image.
/// </summary>
public static class CocoCaptionsReader
{
    public static async IAsyncEnumerable<PromptSetEntry> ReadAsync(string path, [EnumeratorCancellation] CancellationToken ct = default)
    {
        if (!File.Exists(path)) throw new InputDataException(path, "does not exist.", fix: "Check the path in the config.");
        JsonDocument document;
        await using (var stream = File.OpenRead(path))
        {
            try
            {
                document = await JsonDocument.ParseAsync(stream, cancellationToken: ct).ConfigureAwait(false);
            }
            catch (JsonException e)
            {
                throw new InputDataException(path, $"is not valid JSON ({e.Message}).", fix: "Use the COCO captions annotation file.", inner: e);
            }
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("annotations", out var annotations)
                || annotations.ValueKind != JsonValueKind.Array)
                throw new InputDataException(path, "has no \"annotations\" array.", "annotations",
                    "Use a COCO captions file such as annotations/captions_val2014.json.");
            int index = 0;
            foreach (var annotation in annotations.EnumerateArray())
            {
                ct.ThrowIfCancellationRequested();
                if (annotation.ValueKind != JsonValueKind.Object
                    || !annotation.TryGetProperty("caption", out var caption) || caption.ValueKind != JsonValueKind.String)
                    throw new InputDataException(path, $"annotation {index} has no \"caption\" string.", $"annotations[{index}].caption",
                        "Use a COCO captions file (instances and keypoints files have no captions).");
                index++;
                var text = caption.GetString();
                if (string.IsNullOrWhiteSpace(text)) continue;
                var attributes = new Dictionary<string, string>();
                if (annotation.TryGetProperty("image_id", out var imageId) && imageId.ValueKind == JsonValueKind.Number)
                    attributes["image_id"] = imageId.GetInt64().ToString(CultureInfo.InvariantCulture);
                if (annotation.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number)
                    attributes["id"] = id.GetInt64().ToString(CultureInfo.InvariantCulture);
                yield return new PromptSetEntry(text) { Attributes = attributes };
            }
        }
    }
}
