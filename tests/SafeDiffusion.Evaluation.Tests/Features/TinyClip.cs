using SafeDiffusion.Diffusion.Clip;
using SafeDiffusion.Diffusion.TextEncoders;
using SafeDiffusion.Diffusion.Tokenization;
using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.Testing;
using TorchSharp;

namespace SafeDiffusion.Evaluation.Tests.Features;

/// <summary>A CLIP model small enough to run in a test (random weights, 16-wide towers), with the tiny-sd1 tokenizer.</summary>
internal static class TinyClip
{
    public const int Projection = 8;

    public static ClipScorer Scorer()
    {
        torch.manual_seed(5);
        var config = new CLIPConfig(
            new CLIPTextConfig { HiddenSize = 16, IntermediateSize = 32, NumHiddenLayers = 1, NumAttentionHeads = 2, ProjectionDim = Projection },
            new CLIPVisionConfig { HiddenSize = 16, IntermediateSize = 32, NumHiddenLayers = 1, NumAttentionHeads = 2, ImageSize = 16, PatchSize = 8, ProjectionDim = Projection },
            Projection, CLIPConfig.DefaultLogitScaleInitValue);
        var model = new CLIPModel(config);
        model.eval();
        var processor = new CLIPImageProcessor(new CLIPImageProcessorConfig { Size = ImageSizeSpec.Edge(16), CropSize = ImageSizeSpec.Exact(16, 16) });
        var tokenizer = ClipTokenizer.FromFolder(SharedFixtures.Path("sd-parity", "tiny-sd1", "model", "tokenizer"));
        return new ClipScorer(model, tokenizer, processor, torch.CPU);
    }

    public static List<Rgb8Image> Images(int count, int width = 20, int height = 18) => Enumerable.Range(0, count).Select(i =>
    {
        var pixels = new byte[width * height * 3];
        for (int p = 0; p < pixels.Length; p++) pixels[p] = (byte)((p * (5 + 2 * i) + i * 31) % 256);
        return new Rgb8Image(pixels, width, height);
    }).ToList();
}
