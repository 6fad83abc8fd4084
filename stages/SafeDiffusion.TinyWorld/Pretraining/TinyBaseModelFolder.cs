using System.Text.Json;
using System.Text.Json.Nodes;
using SafeDiffusion.Core.IO;
using SafeDiffusion.Diffusion.ModelFolder;
using SafeDiffusion.Diffusion.Safetensors;
using SafeDiffusion.TinyWorld.Captions;
using SafeDiffusion.TinyWorld.Models;
using SafeDiffusion.TinyWorld.Tokenization;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Pretraining;

/// <summary>
/// Writes the tiny base model as a diffusers Stable Diffusion folder: <c>model_index.json</c>, <c>tokenizer/</c>
/// (the world's CLIP BPE vocabulary), <c>text_encoder/</c>, <c>vae/</c> (with the measured scaling factor),
/// <c>unet/</c> and <c>scheduler/</c> (the shipped DDPM-schedule config under the chosen sampler's class), the
/// weights as float32 safetensors under the file names diffusers and transformers use.
/// </summary>
public static class TinyBaseModelFolder
{
    public const string QualityGateFile = "quality_gate.json";
    public const string ReportFile = "pretraining.json";
    public const string SamplesFile = "samples.png";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The diffusers class each sampler short name is saved under.</summary>
    public static string SchedulerClass(string name) => name switch
    {
        "pndm" => "PNDMScheduler",
        "ddim" => "DDIMScheduler",
        "ddpm" => "DDPMScheduler",
        "euler" => "EulerDiscreteScheduler",
        "euler_a" => "EulerAncestralDiscreteScheduler",
        "dpmpp_2m" => "DPMSolverMultistepScheduler",
        _ => throw new ArgumentException($"'{name}' is not a sampler name.", nameof(name)),
    };

    /// <summary>
    /// Writes everything but the weights: configs, tokenizer, model index. Checks that the tokenizer's vocabulary and
    /// special ids are the ones the shipped text encoder config declares (they are one design, kept in two files).
    /// </summary>
    public static void WriteLayout(string folder, int tokenLength, string scheduler)
    {
        TinyModelConfigs.WriteDiffusersLayout(folder);
        var tokenizer = ClipBpeTokenizerBuilder.Build(CaptionVocabulary.Words, Path.Combine(folder, StableDiffusionComponents.Tokenizer), tokenLength);
        var text = TinyModelConfigs.TextEncoder();
        if (tokenizer.VocabularySize != text.VocabSize || tokenizer.BosTokenId != text.BosTokenId || tokenizer.EosTokenId != text.EosTokenId)
            throw new InvalidOperationException(
                $"the world's tokenizer has {tokenizer.VocabularySize} tokens (start {tokenizer.BosTokenId}, end {tokenizer.EosTokenId}) but configs/tiny-models/{TinyModelConfigs.TextEncoderFile} " +
                $"declares vocab_size {text.VocabSize}, bos_token_id {text.BosTokenId}, eos_token_id {text.EosTokenId}; update the config to the vocabulary.");

        var schedulerConfig = JsonNode.Parse(TinyModelConfigs.Text(TinyModelConfigs.SchedulerFile))!.AsObject();
        schedulerConfig["_class_name"] = SchedulerClass(scheduler);
        if (scheduler == "dpmpp_2m")
        {
            schedulerConfig["algorithm_type"] = "dpmsolver++";
            schedulerConfig["solver_order"] = 2;
            schedulerConfig["solver_type"] = "midpoint";
            schedulerConfig["lower_order_final"] = true;
            schedulerConfig["use_karras_sigmas"] = false;
        }
        AtomicFile.WriteAllText(Path.Combine(folder, StableDiffusionComponents.Scheduler, "scheduler_config.json"), schedulerConfig.ToJsonString(Indented));

        var index = new JsonObject
        {
            ["_class_name"] = "StableDiffusionPipeline",
            ["_diffusers_version"] = "0.21.0",
            ["feature_extractor"] = new JsonArray(null, null),
            ["requires_safety_checker"] = false,
            ["safety_checker"] = new JsonArray(null, null),
            ["scheduler"] = new JsonArray("diffusers", SchedulerClass(scheduler)),
            ["text_encoder"] = new JsonArray("transformers", "CLIPTextModel"),
            ["tokenizer"] = new JsonArray("transformers", "CLIPTokenizer"),
            ["unet"] = new JsonArray("diffusers", "UNet2DConditionModel"),
            ["vae"] = new JsonArray("diffusers", "AutoencoderKL"),
        };
        AtomicFile.WriteAllText(Path.Combine(folder, StableDiffusionModelFolder.IndexFileName), index.ToJsonString(Indented));
    }

    /// <summary>Rewrites <c>vae/config.json</c> with the measured latent scaling factor.</summary>
    public static void WriteScalingFactor(string folder, double scalingFactor)
    {
        var path = Path.Combine(folder, StableDiffusionComponents.Vae, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        config["scaling_factor"] = scalingFactor;
        AtomicFile.WriteAllText(path, config.ToJsonString(Indented));
    }

    /// <summary>Saves a trained component's weights (<c>model.safetensors</c> for the text encoder, <c>diffusion_pytorch_model.safetensors</c> otherwise).</summary>
    public static void WriteWeights(string folder, string component, nn.Module module)
    {
        var file = component == StableDiffusionComponents.TextEncoder ? "model.safetensors" : "diffusion_pytorch_model.safetensors";
        SafetensorsWriter.Write(Path.Combine(folder, component, file), module, new Dictionary<string, string> { ["format"] = "pt" });
    }
}
