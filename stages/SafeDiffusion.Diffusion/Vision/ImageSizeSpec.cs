using System.Text.Json.Serialization;

namespace SafeDiffusion.Diffusion.Vision;

/// <summary>
/// A size in an image processor config, written as a number (old feature-extractor configs: <c>"size": 224</c>) or
/// an object (<c>{"shortest_edge": 224}</c> or <c>{"height": 224, "width": 224}</c>).
/// </summary>
[JsonConverter(typeof(ImageSizeSpecConverter))]
public sealed record ImageSizeSpec(int? Scalar, int? ShortestEdge, int? Height, int? Width)
{
    public static ImageSizeSpec Edge(int shortestEdge) => new(null, shortestEdge, null, null);
    public static ImageSizeSpec Exact(int height, int width) => new(null, null, height, width);
}
