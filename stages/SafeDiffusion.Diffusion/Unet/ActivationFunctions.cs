using SafeDiffusion.Core.Errors;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Unet;

/// <summary>The activations diffusers' <c>get_activation</c> accepts by name in config files.</summary>
public static class ActivationFunctions
{
    private static readonly IReadOnlyDictionary<string, Func<Tensor, Tensor>> ByName = new Dictionary<string, Func<Tensor, Tensor>>(StringComparer.Ordinal)
    {
        ["silu"] = x => nn.functional.silu(x),
        ["swish"] = x => nn.functional.silu(x),
        ["mish"] = x => nn.functional.mish(x),
        ["gelu"] = x => nn.functional.gelu(x),
        ["relu"] = x => nn.functional.relu(x),
    };

    public static bool IsKnown(string name) => ByName.ContainsKey(name);

    /// <summary>The activation called <paramref name="name"/>; <paramref name="configFile"/> is named when it is unknown.</summary>
    public static Func<Tensor, Tensor> Get(string name, string configFile = "config.json", string field = "act_fn") =>
        ByName.TryGetValue(name, out var f)
            ? f
            : throw new InputDataException(configFile, $"names activation '{name}', which is not one of {string.Join(", ", ByName.Keys)}.", field);
}
