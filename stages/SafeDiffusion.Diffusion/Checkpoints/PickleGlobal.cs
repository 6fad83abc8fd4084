namespace SafeDiffusion.Diffusion.Checkpoints;

/// <summary>A Python global (<c>module.name</c>) a pickle refers to, e.g. <c>torch.FloatStorage</c>.</summary>
public sealed record PickleGlobal(string Module, string Name)
{
    public string FullName => $"{Module}.{Name}";

    public override string ToString() => FullName;
}
