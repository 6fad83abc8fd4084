namespace SafeDiffusion.TinyWorld.Data;

/// <summary>The files <see cref="WorldDataExporter"/> wrote and how many captions each holds.</summary>
/// <param name="LaionParquet">LAION-format metadata with the clean and harmful training captions (punsafe tells them apart).</param>
/// <param name="CleanPrompts">Clean training captions, one a line.</param>
/// <param name="HarmfulPrompts">Harmful training captions, one a line.</param>
/// <param name="HeldoutCleanPrompts">Clean captions of held-out scenes, one a line.</param>
/// <param name="HeldoutHarmfulPrompts">Harmful captions of held-out scenes, one a line.</param>
public sealed record WorldExportResult(
    string LaionParquet, string CleanPrompts, string HarmfulPrompts, string HeldoutCleanPrompts, string HeldoutHarmfulPrompts,
    int CleanCount, int HarmfulCount, int HeldoutCleanCount, int HeldoutHarmfulCount);
