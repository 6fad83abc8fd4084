using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.ModelFolder;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Vision;

/// <summary>
/// transformers' (slow) <c>CLIPImageProcessor</c> for RGB8 input: resize with Pillow's filter so the shortest edge is
/// <c>size</c> (the long edge truncated as Python's int() does), center crop (zero-padded when the image is
/// smaller), rescale by 1/255, normalise with the config's mean and std; out comes [batch, 3, crop_h, crop_w]
/// float32. The resize reproduces Pillow's 8-bit resampler exactly (see <see cref="PillowResampler"/>).
/// </summary>
public sealed class CLIPImageProcessor
{
    private readonly string _configPath;

    public CLIPImageProcessor(CLIPImageProcessorConfig config, string configPath = "preprocessor_config.json")
    {
        config.Validate(configPath);
        Config = config;
        _configPath = configPath;
    }

    public CLIPImageProcessorConfig Config { get; }

    /// <summary>Reads <c>preprocessor_config.json</c> from a feature_extractor/ folder (or a CLIP model folder).</summary>
    public static CLIPImageProcessor FromFolder(string directory)
    {
        var path = Path.Combine(directory, "preprocessor_config.json");
        return new CLIPImageProcessor(ComponentConfig.Read<CLIPImageProcessorConfig>(path), path);
    }

    /// <summary>The pixel values for a batch of images, on <paramref name="device"/>.</summary>
    public Tensor Preprocess(IReadOnlyList<Rgb8Image> images, Device? device = null)
    {
        if (images.Count == 0) throw new ArgumentException("no images to preprocess.", nameof(images));
        LibTorchRuntime.EnsureLoadable();
        using var scope = torch.NewDisposeScope();
        var processed = images.Select(Single).ToList();
        var batch = torch.stack(processed, 0);
        if (device is not null) batch = batch.to(device);
        return batch.MoveToOuterDisposeScope();
    }

    /// <summary>Output size of the resize step for an image of the given size, as (height, width).</summary>
    public (int Height, int Width) ResizedSize(int width, int height)
    {
        var (edge, h, w) = Config.ResizeTarget(_configPath);
        if (edge is not int size) return (h, w);
        // transformers' get_resize_output_image_size(default_to_square=False): the short side becomes `size`,
        // the long side int(size * long / short).
        int shortSide = Math.Min(width, height), longSide = Math.Max(width, height);
        int newLong = (int)(size * (double)longSide / shortSide);
        return width <= height ? (newLong, size) : (size, newLong);
    }

    private Tensor Single(Rgb8Image image)
    {
        var hwc = torch.tensor(image.Pixels, [image.Height, image.Width, 3], ScalarType.Byte);
        if (Config.DoResize)
        {
            var (h, w) = ResizedSize(image.Width, image.Height);
            if (h != image.Height || w != image.Width)
                hwc = PillowResampler.Resize(hwc, w, h, (PillowFilter)Config.Resample);
        }
        var chw = hwc.permute(2, 0, 1);
        if (Config.DoCenterCrop)
        {
            var (ch, cw) = Config.CropTarget(_configPath);
            chw = CenterCrop(chw, ch, cw);
        }
        // transformers rescales in float64 and stores float32, then normalises in float32.
        var pixels = Config.DoRescale ? chw.to(ScalarType.Float64).mul(Config.RescaleFactor).to(ScalarType.Float32) : chw.to(ScalarType.Float32);
        if (Config.DoNormalize)
        {
            var mean = torch.tensor(Config.ImageMean.Select(v => (float)v).ToArray()).view(3, 1, 1);
            var std = torch.tensor(Config.ImageStd.Select(v => (float)v).ToArray()).view(3, 1, 1);
            pixels = (pixels - mean) / std;
        }
        return pixels.contiguous();
    }

    /// <summary>transformers' center_crop: top = (h - crop_h) // 2, zero padding around images smaller than the crop.</summary>
    private static Tensor CenterCrop(Tensor chw, int cropHeight, int cropWidth)
    {
        long height = chw.shape[1], width = chw.shape[2];
        long top = FloorDiv(height - cropHeight, 2), left = FloorDiv(width - cropWidth, 2);
        if (top >= 0 && left >= 0 && top + cropHeight <= height && left + cropWidth <= width)
            return chw.narrow(1, top, cropHeight).narrow(2, left, cropWidth);

        long newHeight = Math.Max(cropHeight, height), newWidth = Math.Max(cropWidth, width);
        var canvas = torch.zeros([chw.shape[0], newHeight, newWidth], chw.dtype);
        long topPad = (newHeight - height + 1) / 2, leftPad = (newWidth - width + 1) / 2;
        canvas.narrow(1, topPad, height).narrow(2, leftPad, width).copy_(chw);
        top += topPad;
        left += leftPad;
        long bottom = Math.Min(newHeight, top + cropHeight), right = Math.Min(newWidth, left + cropWidth);
        top = Math.Max(0, top);
        left = Math.Max(0, left);
        return canvas.narrow(1, top, bottom - top).narrow(2, left, right - left);
    }

    private static long FloorDiv(long a, long b) => (long)Math.Floor((double)a / b);
}
