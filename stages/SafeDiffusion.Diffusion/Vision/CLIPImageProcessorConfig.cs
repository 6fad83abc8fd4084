using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Diffusion.Vision;

/// <summary>
/// <c>preprocessor_config.json</c> of a CLIPImageProcessor / CLIPFeatureExtractor; defaults are transformers'
/// CLIPImageProcessor defaults (224 shortest edge, bicubic, 224 center crop, OpenAI CLIP mean and std).
/// </summary>
public sealed record CLIPImageProcessorConfig
{
    public bool DoResize { get; init; } = true;
    public ImageSizeSpec? Size { get; init; } = ImageSizeSpec.Edge(224);
    public int Resample { get; init; } = (int)PillowFilter.Bicubic;
    public bool DoCenterCrop { get; init; } = true;
    public ImageSizeSpec? CropSize { get; init; } = ImageSizeSpec.Exact(224, 224);
    public bool DoRescale { get; init; } = true;
    public double RescaleFactor { get; init; } = 1.0 / 255;
    public bool DoNormalize { get; init; } = true;
    public double[] ImageMean { get; init; } = [0.48145466, 0.4578275, 0.40821073];
    public double[] ImageStd { get; init; } = [0.26862954, 0.26130258, 0.27577711];

    /// <summary>Resize target: a shortest edge (a bare number means that for CLIP's <c>size</c>) or an exact height and width.</summary>
    public (int? ShortestEdge, int Height, int Width) ResizeTarget(string path)
    {
        var s = Size ?? throw new InputDataException(path, "is null but do_resize is true.", "size");
        if (s.Scalar is int scalar) return Positive(path, "size", (scalar, 0, 0));
        if (s.ShortestEdge is int edge) return Positive(path, "size.shortest_edge", (edge, 0, 0));
        if (s is { Height: int h, Width: int w }) return Positive(path, "size", (null, h, w));
        throw new InputDataException(path, "has neither shortest_edge nor height and width.", "size");
    }

    /// <summary>Center crop size; a bare number is a square.</summary>
    public (int Height, int Width) CropTarget(string path)
    {
        var c = CropSize ?? throw new InputDataException(path, "is null but do_center_crop is true.", "crop_size");
        if (c.Scalar is int scalar) return Check(path, (scalar, scalar));
        if (c is { Height: int h, Width: int w }) return Check(path, (h, w));
        throw new InputDataException(path, "needs height and width.", "crop_size");

        static (int, int) Check(string path, (int H, int W) v) =>
            v.H > 0 && v.W > 0 ? v : throw new InputDataException(path, $"must be positive, is {v.H}x{v.W}.", "crop_size");
    }

    public void Validate(string path)
    {
        if (DoResize)
        {
            ResizeTarget(path);
            if (!Enum.IsDefined((PillowFilter)Resample) || Resample == (int)PillowFilter.Nearest)
                throw new InputDataException(path, $"{Resample} is not a supported Pillow filter (1 lanczos, 2 bilinear, 3 bicubic, 4 box, 5 hamming).", "resample");
        }
        if (DoCenterCrop) CropTarget(path);
        if (DoNormalize)
        {
            if (ImageMean.Length != 3) throw new InputDataException(path, $"has {ImageMean.Length} values; RGB needs 3.", "image_mean");
            if (ImageStd.Length != 3) throw new InputDataException(path, $"has {ImageStd.Length} values; RGB needs 3.", "image_std");
            if (ImageStd.Any(s => !(s > 0))) throw new InputDataException(path, "must be positive.", "image_std");
        }
    }

    private static (int?, int, int) Positive(string path, string field, (int? Edge, int H, int W) v) =>
        (v.Edge is null or > 0) && (v.Edge is not null || (v.H > 0 && v.W > 0))
            ? v
            : throw new InputDataException(path, "must be positive.", field);
}
