using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Unet;

/// <summary>
/// Base of every layer ported from diffusers. Each registers its children explicitly under the reference state-dict
/// names; TorchSharp's default would also register every field under its C# name, giving each weight a second,
/// wrong key.
/// </summary>
public abstract class DiffusersModule(string name) : nn.Module(name)
{
    protected override void RegisterComponents()
    {
    }
}
