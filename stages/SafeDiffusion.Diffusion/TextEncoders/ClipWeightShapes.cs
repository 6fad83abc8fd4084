using SafeDiffusion.Diffusion.Safetensors;

namespace SafeDiffusion.Diffusion.TextEncoders;

/// <summary>Sizes read from checkpoint headers where configs are known to disagree with the weights.</summary>
public static class ClipWeightShapes
{
    /// <summary>
    /// The MLP width the checkpoint's <c>fc1</c> weights have, when every layer agrees on one that differs from
    /// <paramref name="configured"/>; otherwise <paramref name="configured"/>. openai/CLIP fixes the MLP at 4x the
    /// width, and configs written for such weights by hand sometimes state another intermediate_size (the tiny-sd2
    /// reference set says 96 for 192-wide weights); transformers would refuse to load those. The MLP width changes
    /// no other shape and the weights fully define it, so following the weights cannot leave anything random. Any
    /// other disagreement still fails in the loader, naming file, tensor and shapes.
    /// </summary>
    public static int MlpWidth(IReadOnlyList<SafetensorsFile> files, string layersPrefix, int layers, int hidden, int configured)
    {
        if (layers == 0) return configured;
        int? width = null;
        for (int i = 0; i < layers; i++)
        {
            var fc1 = Find(files, $"{layersPrefix}{i}.mlp.fc1.weight");
            var fc2 = Find(files, $"{layersPrefix}{i}.mlp.fc2.weight");
            if (fc1 is not { Shape.Length: 2 } || fc2 is not { Shape.Length: 2 }) return configured;
            long w = fc1.Shape[0];
            if (fc1.Shape[1] != hidden || fc2.Shape[0] != hidden || fc2.Shape[1] != w || w > int.MaxValue) return configured;
            if (width is not null && width != w) return configured;
            width = (int)w;
        }
        return width ?? configured;
    }

    private static SafetensorsEntry? Find(IReadOnlyList<SafetensorsFile> files, string name) =>
        files.FirstOrDefault(f => f.Contains(name))?.Entry(name);
}
