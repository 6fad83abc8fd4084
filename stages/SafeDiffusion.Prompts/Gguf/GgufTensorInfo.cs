namespace SafeDiffusion.Prompts.Gguf;

/// <summary>
/// A tensor's entry in a GGUF header. <see cref="Dimensions"/> are in ggml order (<c>ne[0]</c> first: the
/// fastest-varying, contiguous dimension), which is the reverse of a row-major shape such as PyTorch's:
/// a <c>[n_vocab, n_embd]</c> embedding matrix is stored with dimensions <c>{n_embd, n_vocab}</c>.
/// </summary>
/// <param name="Offset">Byte offset of the data from the start of the data section (a multiple of the alignment).</param>
public sealed record GgufTensorInfo(string Name, IReadOnlyList<long> Dimensions, GgmlType Type, ulong Offset)
{
    public long ElementCount => Dimensions.Aggregate(1L, (a, d) => checked(a * d));

    /// <summary>The row-major shape (PyTorch order): <see cref="Dimensions"/> reversed.</summary>
    public IReadOnlyList<long> Shape => Dimensions.Reverse().ToArray();

    /// <summary>Bytes of data, or null when the type is not in <see cref="GgmlTypeTraits"/>.</summary>
    public long? ByteCount => GgmlTypeTraits.ByteCount(Type, ElementCount);
}
