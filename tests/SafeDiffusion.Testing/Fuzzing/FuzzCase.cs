namespace SafeDiffusion.Testing.Fuzzing;

/// <summary>One mutated file: its number in the seeded sequence, what was done to it, and its bytes.</summary>
public sealed record FuzzCase(int Index, string Mutation, byte[] Bytes)
{
    public override string ToString() => $"case {Index} ({Mutation})";
}
