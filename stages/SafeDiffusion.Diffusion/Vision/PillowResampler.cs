using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Vision;

/// <summary>
/// Pillow's <c>Image.resize</c> for 8-bit images (libImaging/Resample.c), computed with TorchSharp matrix products.
/// Pillow resamples separably, horizontal pass first, with antialiasing (the filter widens by the reduction factor),
/// coefficients normalised per output pixel and rounded to 22-bit fixed point, and each pass rounded and clipped to
/// 8 bits. The fixed-point sums are integers below 2^40, which float64 holds exactly, so the products here give
/// Pillow's bytes exactly rather than approximately.
/// </summary>
public static class PillowResampler
{
    private const int PrecisionBits = 32 - 8 - 2;

    /// <summary>Resizes an HWC uint8 tensor [height, width, channels] to [outHeight, outWidth, channels] (uint8).</summary>
    public static Tensor Resize(Tensor image, int outWidth, int outHeight, PillowFilter filter)
    {
        if (image.dim() != 3 || image.dtype != ScalarType.Byte)
            throw new ArgumentException("expected a uint8 [height, width, channels] tensor.", nameof(image));
        if (outWidth <= 0 || outHeight <= 0) throw new ArgumentOutOfRangeException(nameof(outWidth), "output size must be positive.");
        if (filter == PillowFilter.Nearest) throw new NotSupportedException("nearest-neighbour resampling is not supported.");
        int height = (int)image.shape[0], width = (int)image.shape[1];
        using var scope = torch.NewDisposeScope();
        var current = image.to(ScalarType.Float64);
        if (outWidth != width)
        {
            var weights = Coefficients(width, outWidth, filter, image.device); // [outWidth, width]
            // [H, W, C] -> [H, C, W] x [W, outW] -> [H, C, outW] -> [H, outW, C]
            current = Quantize(current.permute(0, 2, 1).matmul(weights.t())).permute(0, 2, 1);
        }
        if (outHeight != height)
        {
            var weights = Coefficients(height, outHeight, filter, image.device); // [outHeight, height]
            long w = current.shape[1], c = current.shape[2];
            current = Quantize(weights.matmul(current.reshape(height, w * c))).reshape(outHeight, w, c);
        }
        return current.to(ScalarType.Byte).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Adds the rounding half, shifts out the fixed point and clips to 0..255, as Pillow's clip8 does.</summary>
    private static Tensor Quantize(Tensor fixedPointSums) =>
        fixedPointSums.add(1 << (PrecisionBits - 1)).div(1 << PrecisionBits).floor_().clamp_(0, 255);

    /// <summary>Pillow's precompute_coeffs + normalize_coeffs_8bpc as a dense [outSize, inSize] matrix of fixed-point integers.</summary>
    internal static Tensor Coefficients(int inSize, int outSize, PillowFilter filter, Device device)
    {
        var (kernel, filterSupport) = Kernel(filter);
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = filterSupport * filterScale;
        double invFilterScale = 1.0 / filterScale;
        var matrix = new double[outSize * inSize];
        var k = new double[(int)Math.Ceiling(support) * 2 + 1];
        for (int xx = 0; xx < outSize; xx++)
        {
            double center = (xx + 0.5) * scale;
            // C's (int) truncates toward zero, which is what Pillow's "round the value" relies on.
            int xmin = Math.Max((int)(center - support + 0.5), 0);
            int xmax = Math.Min((int)(center + support + 0.5), inSize) - xmin;
            double total = 0;
            for (int x = 0; x < xmax; x++)
            {
                k[x] = kernel((x + xmin - center + 0.5) * invFilterScale);
                total += k[x];
            }
            for (int x = 0; x < xmax; x++)
            {
                double normalised = total != 0.0 ? k[x] / total : k[x];
                matrix[xx * inSize + xmin + x] = normalised < 0
                    ? (int)(-0.5 + normalised * (1 << PrecisionBits))
                    : (int)(0.5 + normalised * (1 << PrecisionBits));
            }
        }
        return torch.tensor(matrix, [outSize, inSize], ScalarType.Float64, device);
    }

    private static (Func<double, double> Kernel, double Support) Kernel(PillowFilter filter) => filter switch
    {
        PillowFilter.Box => (x => x > -0.5 && x <= 0.5 ? 1.0 : 0.0, 0.5),
        PillowFilter.Bilinear => (x => Math.Abs(x) < 1.0 ? 1.0 - Math.Abs(x) : 0.0, 1.0),
        PillowFilter.Hamming => (Hamming, 1.0),
        PillowFilter.Bicubic => (Bicubic, 2.0),
        PillowFilter.Lanczos => (x => -3.0 <= x && x < 3.0 ? Sinc(x) * Sinc(x / 3) : 0.0, 3.0),
        _ => throw new NotSupportedException($"resampling filter {filter} is not supported."),
    };

    private static double Bicubic(double x)
    {
        const double a = -0.5;
        x = Math.Abs(x);
        if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
        return 0.0;
    }

    private static double Hamming(double x)
    {
        x = Math.Abs(x);
        if (x == 0.0) return 1.0;
        if (x >= 1.0) return 0.0;
        x *= Math.PI;
        // Pillow writes these constants as C floats.
        return Math.Sin(x) / x * (0.54f + 0.46f * Math.Cos(x));
    }

    private static double Sinc(double x)
    {
        if (x == 0.0) return 1.0;
        x *= Math.PI;
        return Math.Sin(x) / x;
    }
}
