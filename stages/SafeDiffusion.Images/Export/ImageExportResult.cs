namespace SafeDiffusion.Images.Export;

/// <summary>What <see cref="ImageExporter.Export"/> did: the files it wrote and the ids it could not turn into PNGs.</summary>
public sealed record ImageExportResult(IReadOnlyList<string> Written, IReadOnlyList<string> Unreadable);
