namespace SafeDiffusion.Datasets.Parts;

/// <summary>
/// Page compression for part files. PNG bytes are already deflate-compressed, so the choice matters mostly for the
/// text columns: <see cref="Snappy"/> (the default) is cheap and every reader knows it.
/// </summary>
public enum PartCompression { None, Snappy, Gzip, Zstd }
