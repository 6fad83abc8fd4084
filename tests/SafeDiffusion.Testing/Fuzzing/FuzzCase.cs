namespace SafeDiffusion.Testing.Fuzzing;

/// <summary>
/// One mutated file: its number in the seeded sequence, what was done to the valid file, and its bytes. The same
/// seed gives the same sequence, so a failing case can be found again from its index and mutation.
/// </summary>
public sealed record FuzzCase(int Index, string Mutation, byte[] Bytes)
{
    public override string ToString() => $"case {Index} ({Mutation})";
}
