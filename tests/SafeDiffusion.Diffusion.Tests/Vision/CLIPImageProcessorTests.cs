using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.ModelFolder;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.Testing;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Tests.Vision;

public class CLIPImageProcessorTests
{
    public CLIPImageProcessorTests() => LibTorchRuntime.EnsureLoadable();

    private static readonly float[] Mean = [0.48145466f, 0.4578275f, 0.40821073f];
    private static readonly float[] Std = [0.26862954f, 0.26130258f, 0.27577711f];

    private static CLIPImageProcessor FixtureProcessor() =>
        CLIPImageProcessor.FromFolder(SharedFixtures.Path("safety-checker", "tiny-safety-checker", "model", "feature_extractor"));

    private static Rgb8Image Solid(int width, int height, byte r, byte g, byte b)
    {
        var pixels = new byte[width * height * 3];
        for (int i = 0; i < width * height; i++) { pixels[3 * i] = r; pixels[3 * i + 1] = g; pixels[3 * i + 2] = b; }
        return new Rgb8Image(pixels, width, height);
    }

    [Fact]
    public void Shortest_edge_resize_truncates_the_long_edge_like_python_int()
    {
        var processor = FixtureProcessor(); // shortest_edge 32
        Assert.Equal((32, 42), processor.ResizedSize(width: 64, height: 48)); // 32 * 64 / 48 = 42.67
        Assert.Equal((42, 32), processor.ResizedSize(width: 48, height: 64));
        Assert.Equal((32, 32), processor.ResizedSize(width: 100, height: 100));
        Assert.Equal((32, 96), processor.ResizedSize(width: 300, height: 100));
    }

    [Fact]
    public void A_solid_image_comes_out_as_the_normalised_colour_at_crop_size()
    {
        using var scope = torch.NewDisposeScope();
        var pixels = FixtureProcessor().Preprocess([Solid(64, 48, 255, 128, 0)]);
        Assert.Equal(new long[] { 1, 3, 32, 32 }, pixels.shape);
        byte[] colour = [255, 128, 0];
        for (int c = 0; c < 3; c++)
        {
            float expected = ((float)(colour[c] * (1.0 / 255)) - Mean[c]) / Std[c];
            Assert.True(torch.allclose(pixels[0, c], torch.full(32, 32, expected), rtol: 0, atol: 1e-6), $"channel {c}");
        }
    }

    [Fact]
    public void Center_crop_takes_the_middle_with_floor_offsets()
    {
        using var dir = new TempDirectory("proc");
        // No resize, no normalisation: the crop alone, on a 5x4 image whose red channel is the pixel index.
        File.WriteAllText(dir.File("preprocessor_config.json"),
            """{"do_resize": false, "crop_size": {"height": 2, "width": 2}, "do_normalize": false, "rescale_factor": 1.0}""");
        var processor = CLIPImageProcessor.FromFolder(dir.Path);
        var pixels = new byte[5 * 4 * 3];
        for (int i = 0; i < 20; i++) pixels[3 * i] = (byte)i;
        using var scope = torch.NewDisposeScope();
        var red = processor.Preprocess([new Rgb8Image(pixels, 5, 4)])[0, 0];
        // top = (4 - 2) // 2 = 1, left = (5 - 2) // 2 = 1: rows 1-2, columns 1-2 of the 5-wide image.
        Assert.Equal(new float[] { 6, 7, 11, 12 }, red.contiguous().data<float>().ToArray());
    }

    [Fact]
    public void An_image_smaller_than_the_crop_is_zero_padded_around_the_centre()
    {
        using var dir = new TempDirectory("proc");
        File.WriteAllText(dir.File("preprocessor_config.json"),
            """{"do_resize": false, "crop_size": 4, "do_normalize": false, "rescale_factor": 1.0}""");
        var processor = CLIPImageProcessor.FromFolder(dir.Path);
        using var scope = torch.NewDisposeScope();
        var red = processor.Preprocess([Solid(2, 2, 9, 9, 9)])[0, 0];
        // Padding of ceil((4 - 2) / 2) = 1 on top and left puts the 2x2 image at rows and columns 1-2.
        float[] expected = [0, 0, 0, 0, 0, 9, 9, 0, 0, 9, 9, 0, 0, 0, 0, 0];
        Assert.Equal(expected, red.contiguous().data<float>().ToArray());
    }

    [Fact]
    public void Old_feature_extractor_configs_with_bare_numbers_are_read()
    {
        using var dir = new TempDirectory("proc");
        // The SD 1.x feature_extractor/preprocessor_config.json shape.
        File.WriteAllText(dir.File("preprocessor_config.json"),
            """{"crop_size": 224, "do_center_crop": true, "do_normalize": true, "do_resize": true, "feature_extractor_type": "CLIPFeatureExtractor", "image_mean": [0.48145466, 0.4578275, 0.40821073], "image_std": [0.26862954, 0.26130258, 0.27577711], "resample": 3, "size": 224}""");
        var processor = CLIPImageProcessor.FromFolder(dir.Path);
        Assert.Equal((224, 298), processor.ResizedSize(width: 512, height: 384));
        using var scope = torch.NewDisposeScope();
        Assert.Equal(new long[] { 2, 3, 224, 224 }, processor.Preprocess([Solid(512, 384, 1, 2, 3), Solid(300, 600, 4, 5, 6)]).shape);
    }

    [Fact]
    public void An_unsupported_resample_filter_names_the_field()
    {
        using var dir = new TempDirectory("proc");
        File.WriteAllText(dir.File("preprocessor_config.json"), """{"resample": 0}""");
        var e = Assert.Throws<InputDataException>(() => CLIPImageProcessor.FromFolder(dir.Path));
        Assert.Contains("resample", e.Message);
        Assert.Contains("preprocessor_config.json", e.Message);
    }
}
