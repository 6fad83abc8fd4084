using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Tokenization;
using SafeDiffusion.Diffusion.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Clip;

/// <summary>
/// CLIP score from a transformers CLIP folder as published (config.json, model.safetensors, the tokenizer files
/// vocab.json / merges.txt / tokenizer_config.json, and preprocessor_config.json, all side by side): prompts and RGB8
/// images in, one score per pair out.
/// </summary>
public sealed class ClipScorer : IDisposable
{
    private readonly Device _device;

    public ClipScorer(CLIPModel model, ClipTokenizer tokenizer, CLIPImageProcessor processor, Device device)
    {
        if (tokenizer.MaxLength > model.Config.TextConfig.MaxPositionEmbeddings)
            throw new ArgumentException($"the tokenizer pads to {tokenizer.MaxLength} tokens but the text tower has {model.Config.TextConfig.MaxPositionEmbeddings} positions.");
        Model = model;
        Tokenizer = tokenizer;
        Processor = processor;
        _device = device;
    }

    public CLIPModel Model { get; }
    public ClipTokenizer Tokenizer { get; }
    public CLIPImageProcessor Processor { get; }

    public static ClipScorer FromFolder(string directory, ScalarType dtype, Device device, string? variant = null)
    {
        var tokenizerDir = File.Exists(Path.Combine(directory, "vocab.json")) ? directory : Path.Combine(directory, "tokenizer");
        if (!File.Exists(Path.Combine(tokenizerDir, "vocab.json")))
            throw new InputDataException(directory, "has no vocab.json (nor tokenizer/vocab.json).",
                fix: "Use a CLIP folder as published (e.g. openai/clip-vit-large-patch14), which carries its tokenizer files.");
        var tokenizer = ClipTokenizer.FromFolder(tokenizerDir);
        var processor = CLIPImageProcessor.FromFolder(directory);
        var model = CLIPModel.FromFolder(directory, dtype, device, variant);
        try
        {
            return new ClipScorer(model, tokenizer, processor, device);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>100 * max(cos, 0) for each (image, text) pair.</summary>
    public IReadOnlyList<float> ClipScore(IReadOnlyList<Rgb8Image> images, IReadOnlyList<string> texts)
    {
        if (images.Count != texts.Count)
            throw new ArgumentException($"{images.Count} images but {texts.Count} texts; CLIP score pairs them one to one.");
        if (images.Count == 0) return [];
        using var scope = torch.NewDisposeScope();
        var pixels = Processor.Preprocess(images, _device);
        var ids = Tokenizer.EncodeBatch(texts, _device);
        return Model.ClipScore(pixels, ids).cpu().data<float>().ToArray();
    }

    public void Dispose() => Model.Dispose();
}
