using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Progress;
using SafeDiffusion.Prompts.Gguf;

namespace SafeDiffusion.TinyWorld.TinyLlm;

/// <summary>
/// Trains a tiny writer model only when needed: a GGUF at the path whose recorded recipe key
/// (<see cref="TinyLlamaModel.RecipeMetadataKey"/>) matches the corpus and options is reused as it is; any other
/// file there is replaced by a freshly trained and exported model. The export is atomic, so an interrupted run
/// leaves either the old file or the new one.
/// </summary>
public static class TinyLlamaGgufCache
{
    public static TinyLlamaGgufResult EnsureTrained(string path, CaptionCorpus corpus, TinyLlamaTrainingOptions options,
        TinyLlamaGgufMetadata? metadata = null, IProgressSink? progress = null, CancellationToken ct = default)
    {
        var key = TinyLlamaRecipe.Key(corpus, options);
        if (RecordedKey(path) == key) return new TinyLlamaGgufResult(path, key, Reused: true, Report: null);

        using var model = TinyLlamaTrainer.Train(corpus, options, progress, ct);
        ct.ThrowIfCancellationRequested();
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        model.ExportGguf(path, metadata);
        return new TinyLlamaGgufResult(path, key, Reused: false, model.Report);
    }

    /// <summary>The recipe key a GGUF records, or null when there is no file, it is not a GGUF, or it records none.</summary>
    public static string? RecordedKey(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            return GgufReader.Read(path).Find(TinyLlamaModel.RecipeMetadataKey)?.Value as string;
        }
        catch (Exception e) when (e is InputDataException or IOException)
        {
            // A truncated or foreign file is simply not a cache hit; it is overwritten by the new export.
            return null;
        }
    }
}
