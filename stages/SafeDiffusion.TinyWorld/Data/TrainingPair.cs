using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.TinyWorld.World;

namespace SafeDiffusion.TinyWorld.Data;

/// <summary>One rendered scene with a caption written for it: what pretraining and fine-tuning stream.</summary>
public sealed record TrainingPair(long Index, SceneSpec Scene, SceneDescription Description, string Caption, Rgb8Image Image)
{
    public bool Harmful => Scene.Harmful;
}
