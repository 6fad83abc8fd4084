namespace SafeDiffusion.Datasets.Inspection;

/// <summary>One image from a dataset with what to call it: the file name stem and a caption for contact sheets.</summary>
public sealed record ImageCell(string Id, string? Caption, byte[] Bytes);
