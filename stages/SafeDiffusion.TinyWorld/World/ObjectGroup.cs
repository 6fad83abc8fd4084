namespace SafeDiffusion.TinyWorld.World;

/// <summary><paramref name="Count"/> objects of one colour and shape ("two yellow squares").</summary>
public readonly record struct ObjectGroup(ShapeColor Color, ShapeKind Shape, int Count);
