namespace SafeDiffusion.Datasets.Foreign;

/// <summary>
/// One row of LAION image metadata as the LAION-5B/2B parquet parts carry it: caption, image size, the CLIP
/// image-text similarity, and the NSFW (punsafe) and watermark (pwatermark) probabilities.
/// </summary>
public sealed record LaionMetadataRow(long SampleId, string Url, string Text, long Width, long Height, double Similarity, double Punsafe, double Pwatermark);
