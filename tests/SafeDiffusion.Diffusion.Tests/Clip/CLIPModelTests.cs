using SafeDiffusion.Diffusion.Clip;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Safetensors;
using SafeDiffusion.Diffusion.TextEncoders;
using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.Testing;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Tests.Clip;

public class CLIPModelTests
{
    public CLIPModelTests() => LibTorchRuntime.EnsureLoadable();

    private const int TextHidden = 24, TextLayers = 2, VisionHidden = 32, VisionLayers = 2, Projection = 16, ImageSize = 16, Patch = 8;

    /// <summary>
    /// A transformers CLIPModel folder with random weights, written under the key names transformers uses
    /// (listed here by hand, not taken from the code under test), plus the tiny-sd1 tokenizer files.
    /// </summary>
    private static TempDirectory TinyClipFolder()
    {
        var dir = new TempDirectory("clip");
        File.WriteAllText(dir.File("config.json"), $$"""
            {
              "architectures": ["CLIPModel"], "projection_dim": {{Projection}}, "logit_scale_init_value": 2.6592,
              "text_config": {"hidden_size": {{TextHidden}}, "intermediate_size": {{4 * TextHidden}}, "num_attention_heads": 4,
                              "num_hidden_layers": {{TextLayers}}, "max_position_embeddings": 77, "hidden_act": "quick_gelu",
                              "eos_token_id": 2},
              "vision_config": {"hidden_size": {{VisionHidden}}, "intermediate_size": {{4 * VisionHidden}}, "num_attention_heads": 4,
                                "num_hidden_layers": {{VisionLayers}}, "image_size": {{ImageSize}}, "patch_size": {{Patch}}, "hidden_act": "quick_gelu"}
            }
            """);
        File.WriteAllText(dir.File("preprocessor_config.json"),
            $$"""{"size": {"shortest_edge": {{ImageSize}}}, "crop_size": {"height": {{ImageSize}}, "width": {{ImageSize}}}, "resample": 3}""");
        foreach (var f in new[] { "vocab.json", "merges.txt", "tokenizer_config.json" })
            File.Copy(SharedFixtures.Path("sd-parity", "tiny-sd1", "model", "tokenizer", f), dir.File(f));

        using var scope = torch.NewDisposeScope();
        var generator = torch.manual_seed(7);
        var tensors = new Dictionary<string, Tensor>();
        void Add(string name, params long[] shape) => tensors[name] = torch.randn(shape, generator: generator) * 0.2;
        void Encoder(string prefix, int hidden, int layers)
        {
            for (int i = 0; i < layers; i++)
            {
                var l = $"{prefix}encoder.layers.{i}.";
                foreach (var proj in new[] { "q_proj", "k_proj", "v_proj", "out_proj" })
                {
                    Add(l + $"self_attn.{proj}.weight", hidden, hidden);
                    Add(l + $"self_attn.{proj}.bias", hidden);
                }
                foreach (var norm in new[] { "layer_norm1", "layer_norm2" })
                {
                    tensors[l + norm + ".weight"] = torch.ones(hidden) + torch.randn([hidden], generator: generator) * 0.1;
                    Add(l + norm + ".bias", hidden);
                }
                Add(l + "mlp.fc1.weight", 4 * hidden, hidden);
                Add(l + "mlp.fc1.bias", 4 * hidden);
                Add(l + "mlp.fc2.weight", hidden, 4 * hidden);
                Add(l + "mlp.fc2.bias", hidden);
            }
        }
        Add("text_model.embeddings.token_embedding.weight", 49408, TextHidden);
        Add("text_model.embeddings.position_embedding.weight", 77, TextHidden);
        Encoder("text_model.", TextHidden, TextLayers);
        tensors["text_model.final_layer_norm.weight"] = torch.ones(TextHidden);
        Add("text_model.final_layer_norm.bias", TextHidden);
        Add("vision_model.embeddings.class_embedding", VisionHidden);
        Add("vision_model.embeddings.patch_embedding.weight", VisionHidden, 3, Patch, Patch);
        Add("vision_model.embeddings.position_embedding.weight", (ImageSize / Patch) * (ImageSize / Patch) + 1, VisionHidden);
        tensors["vision_model.pre_layrnorm.weight"] = torch.ones(VisionHidden);
        Add("vision_model.pre_layrnorm.bias", VisionHidden);
        Encoder("vision_model.", VisionHidden, VisionLayers);
        tensors["vision_model.post_layernorm.weight"] = torch.ones(VisionHidden);
        Add("vision_model.post_layernorm.bias", VisionHidden);
        Add("visual_projection.weight", Projection, VisionHidden);
        Add("text_projection.weight", Projection, TextHidden);
        tensors["logit_scale"] = torch.tensor(2.6592f);
        // Older exports carry the position_ids buffers; loading must tolerate them.
        tensors["text_model.embeddings.position_ids"] = torch.arange(77).unsqueeze(0);
        SafetensorsWriter.Write(dir.File("model.safetensors"), tensors);
        return dir;
    }

    private static Rgb8Image Pattern(int seed)
    {
        var pixels = new byte[20 * 24 * 3];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)((i * (seed + 3) + seed * 17) % 256);
        return new Rgb8Image(pixels, 20, 24);
    }

    [Fact]
    public void Clip_score_is_100_times_the_clamped_cosine_of_the_two_towers_projections()
    {
        using var dir = TinyClipFolder();
        using var scorer = ClipScorer.FromFolder(dir.Path, ScalarType.Float32, torch.CPU);
        string[] texts = ["a photo of a cat", "a painting of a horse on mars", "numbers 12345"];
        Rgb8Image[] images = [Pattern(1), Pattern(2), Pattern(3)];
        var scores = scorer.ClipScore(images, texts);

        // Direct computation: each tower loaded on its own from the same file, projections applied by hand.
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var file = SafetensorsFile.Open(dir.File("model.safetensors"));
        var textConfig = new CLIPTextConfig { HiddenSize = TextHidden, IntermediateSize = 4 * TextHidden, NumAttentionHeads = 4, NumHiddenLayers = TextLayers, EosTokenId = 2 };
        using var textTower = new CLIPTextModel(textConfig);
        var textReport = ModuleWeightLoader.Load(textTower, [file]);
        Assert.Empty(textReport.Missing);
        var visionConfig = new CLIPVisionConfig { HiddenSize = VisionHidden, IntermediateSize = 4 * VisionHidden, NumAttentionHeads = 4, NumHiddenLayers = VisionLayers, ImageSize = ImageSize, PatchSize = Patch };
        using var visionTower = new CLIPVisionModel(visionConfig);
        Assert.Empty(ModuleWeightLoader.Load(visionTower, [file]).Missing);

        var ids = scorer.Tokenizer.EncodeBatch(texts);
        var pixels = scorer.Processor.Preprocess(images);
        using var text = textTower.forward(ids);
        using var vision = visionTower.forward(pixels);
        var textEmbeds = text.PooledOutput.matmul(file.Load("text_projection.weight").t());
        var imageEmbeds = vision.PooledOutput.matmul(file.Load("visual_projection.weight").t());
        for (int i = 0; i < texts.Length; i++)
        {
            var t = textEmbeds[i];
            var v = imageEmbeds[i];
            double cosine = (t * v).sum().item<float>() / (t.norm().item<float>() * v.norm().item<float>());
            Assert.Equal(100 * Math.Max(cosine, 0), scores[i], 1e-3);
        }
    }

    [Fact]
    public void Negative_cosines_score_zero()
    {
        using var dir = TinyClipFolder();
        using var model = CLIPModel.FromFolder(dir.Path, ScalarType.Float32, torch.CPU);
        using var scope = torch.NewDisposeScope();
        var pixels = torch.randn(6, 3, ImageSize, ImageSize, generator: torch.manual_seed(3));
        var ids = torch.tensor(new long[] { 49406, 320, 1125, 49407 }).unsqueeze(0).expand(6, 4).contiguous();
        var scores = model.ClipScore(pixels, ids).data<float>().ToArray();
        var image = nn.functional.normalize(model.GetImageFeatures(pixels), dim: -1);
        var text = nn.functional.normalize(model.GetTextFeatures(ids), dim: -1);
        var cosines = (image * text).sum(-1).data<float>().ToArray();
        for (int i = 0; i < 6; i++) Assert.Equal(cosines[i] > 0 ? 100 * cosines[i] : 0f, scores[i], 1e-3);
    }

    [Fact]
    public void Text_features_pool_at_the_largest_id_for_legacy_configs()
    {
        using var dir = TinyClipFolder();
        using var model = CLIPModel.FromFolder(dir.Path, ScalarType.Float32, torch.CPU);
        Assert.True(model.Config.TextConfig.PoolsAtLargestId);
        using var scope = torch.NewDisposeScope();
        // The end token (49407, the largest id) at position 2; a smaller id after it must not move the pooling.
        var ids = torch.tensor(new long[] { 49406, 320, 49407, 0, 0 }).unsqueeze(0);
        using var output = model.TextModel.forward(ids);
        Assert.True(torch.allclose(output.PooledOutput[0], output.LastHiddenState[0, 2], rtol: 0, atol: 0));
    }
}
