namespace SafeDiffusion.TinyWorld.World;

/// <summary>The five scenery kinds of the world; every scene has exactly one.</summary>
public enum Background
{
    Sky,
    Sea,
    Grass,
    Sand,
    Night,
}
