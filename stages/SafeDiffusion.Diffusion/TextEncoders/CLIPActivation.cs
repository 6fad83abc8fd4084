using SafeDiffusion.Core.Errors;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.TextEncoders;

/// <summary>The <c>hidden_act</c> values CLIP configs use, as transformers' ACT2FN defines them.</summary>
public static class CLIPActivation
{
    public static readonly IReadOnlyList<string> Known = ["quick_gelu", "gelu", "gelu_new", "gelu_pytorch_tanh", "relu"];

    public static bool IsKnown(string name) => Known.Contains(name);

    /// <summary>Throws an input error naming the config file when <paramref name="name"/> is not supported.</summary>
    public static void Validate(string name, string configPath, string field = "hidden_act")
    {
        if (!IsKnown(name))
            throw new InputDataException(configPath, $"'{name}' is not a supported activation; supported: {string.Join(", ", Known)}.", field);
    }

    public static Tensor Apply(string name, Tensor x) => name switch
    {
        // OpenAI's CLIP approximation: x * sigmoid(1.702 x).
        "quick_gelu" => x * torch.sigmoid(x * 1.702),
        "gelu" => nn.functional.gelu(x),
        "gelu_new" or "gelu_pytorch_tanh" => nn.functional.gelu(x, TorchSharp.Modules.GELU.Approximate.tanh),
        "relu" => nn.functional.relu(x),
        _ => throw new ArgumentException($"unsupported activation '{name}'", nameof(name)),
    };
}
