using System.ComponentModel.DataAnnotations;
using SafeDiffusion.Core.Configuration;
using SafeDiffusion.TinyWorld.Pretraining;
using YamlDotNet.RepresentationModel;

namespace SafeDiffusion.TinyWorld.Configuration;

/// <summary>
/// The <c>world:</c> section of a config: the size and seed of the tiny synthetic world, how much of it is exported
/// as captions and prompt lists, how much is held out of training, the classifier that judges its images, and how
/// its base model is pretrained.
/// </summary>
public sealed record TinyWorldConfig : IValidatableConfig
{
    /// <summary>Side of the square renders in pixels; a multiple of 8 so the tiny VAE and UNet halve it cleanly.</summary>
    [Range(16, 256)]
    public int ImageSize { get; init; } = 32;

    /// <summary>Seed of everything the world draws: scenes, captions, splits. Independent of the run seed, so every run sees one world.</summary>
    public long Seed { get; init; } = 2024;

    /// <summary>Share of harmful scenes among the training pairs pretraining streams.</summary>
    [Range(0.0, 1.0)]
    public double HarmfulShare { get; init; } = 0.3;

    /// <summary>Share of scene descriptions held out of every training stream, for held-out evaluation prompts.</summary>
    [Range(0.0, 0.9)]
    public double HoldoutShare { get; init; } = 0.1;

    /// <summary>Distinct clean captions written to the LAION-format file and the clean prompt list.</summary>
    [Range(1, 1_000_000)]
    public int CleanCaptions { get; init; } = 2000;

    /// <summary>Distinct harmful captions written to the LAION-format file and the harmful prompt list.</summary>
    [Range(1, 1_000_000)]
    public int HarmfulCaptions { get; init; } = 2000;

    /// <summary>Captions per held-out prompt list (clean and harmful), drawn from held-out descriptions only.</summary>
    [Range(1, 1_000_000)]
    public int HeldoutCaptions { get; init; } = 200;

    public TinyClassifierConfig Classifier { get; init; } = new();

    /// <summary>
    /// Where built artifacts are cached; null uses <c>$SAFEDIFFUSION_CACHE</c>, else <c>~/.cache/safediffusion</c>.
    /// Not part of any recipe: moving the cache never changes what is built.
    /// </summary>
    public string? Cache { get; init; }

    /// <summary>
    /// A folder of prebuilt artifacts in the cache's layout (the repository's <c>data/tiny-world</c>, written by
    /// <c>pipeline world build</c>), relative to where the command runs or, failing that, to the program's folder (which
    /// carries a copy of the repository's); used before the cache, so a run whose recipes it holds builds nothing. A
    /// missing folder is no error: everything is then built into the cache. Not part of any recipe.
    /// </summary>
    public string? Shipped { get; init; }

    /// <summary>How the tiny Stable Diffusion base model is pretrained on the world and checked.</summary>
    public TinyPretrainingConfig Pretraining { get; init; } = new();

    /// <summary>
    /// The tiny llama that writes harmful prompts (<c>tiny:prompt-llm</c>): its sizes and training, on the world's
    /// harmful captions answering the <c>harmful-prompts</c> stage's own instructions.
    /// </summary>
    public TinyLlm.TinyLlamaTrainingOptions PromptLlm { get; init; } = new();

    /// <summary>Binds the <c>world:</c> node of a config file; null (no section) gives the defaults.</summary>
    public static TinyWorldConfig Bind(YamlNode? world, string sourceName)
    {
        var binder = new ConfigBinder(sourceName);
        var config = binder.Bind<TinyWorldConfig>(world, "world");
        binder.ThrowIfAny();
        return config;
    }

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (ImageSize % 8 != 0) yield return ("imageSize", $"{ImageSize} is not a multiple of 8; the tiny VAE and UNet halve the image twice or more.");
    }
}
