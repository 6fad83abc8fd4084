using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Evaluation.Stages;
using SafeDiffusion.Images.Codecs;
using SafeDiffusion.Testing;
using SixLabors.ImageSharp.PixelFormats;

namespace SafeDiffusion.Evaluation.Tests.Stages;

public class ReferenceImagesTests
{
    [Fact]
    public void A_reference_image_wider_than_the_cap_is_refused_by_name_and_read_once_the_cap_is_raised()
    {
        using var dir = new TempDirectory("references");
        var wide = dir.File("wide.png");
        File.WriteAllBytes(wide, TestImages.SolidPng(5000, 4, new Rgba32(10, 20, 30)));

        var e = Assert.Throws<InputDataException>(() => ReferenceImages.Read(dir.Path, CancellationToken.None).ToList());
        Assert.Contains(wide, e.Message);

        var image = Assert.Single(ReferenceImages.Read(dir.Path, CancellationToken.None, ImageDecodeLimits.Square(8192)));
        Assert.Equal((5000, 4), (image.Width, image.Height));
    }

    [Fact]
    public void The_evaluation_cap_is_a_config_value_with_the_decoder_default()
    {
        Assert.Equal(ImageDecodeLimits.DefaultSide, new EvaluationConfig().MaxImageSide);
        var document = ConfigDocument.Parse("max-image-side: 8192", "evaluate.yaml");
        var binder = new ConfigBinder(document);
        var config = binder.Bind<EvaluationConfig>(document.Root, "stages.evaluate");
        binder.ThrowIfAny();
        Assert.Equal(8192, config.MaxImageSide);
    }
}
