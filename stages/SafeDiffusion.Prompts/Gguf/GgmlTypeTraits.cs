namespace SafeDiffusion.Prompts.Gguf;

/// <summary>
/// Elements per block and bytes per block of each ggml type, as in ggml.c's <c>type_traits</c> and the block
/// structs of ggml-common.h. The reader needs them to know where each tensor's data ends.
/// </summary>
public static class GgmlTypeTraits
{
    private const int QK_K = 256;

    private static readonly IReadOnlyDictionary<GgmlType, (int BlockSize, int TypeSize)> Table =
        new Dictionary<GgmlType, (int, int)>
        {
            [GgmlType.F32] = (1, 4),
            [GgmlType.F16] = (1, 2),
            [GgmlType.BF16] = (1, 2),
            [GgmlType.F64] = (1, 8),
            [GgmlType.I8] = (1, 1),
            [GgmlType.I16] = (1, 2),
            [GgmlType.I32] = (1, 4),
            [GgmlType.I64] = (1, 8),
            [GgmlType.Q4_0] = (32, 18),
            [GgmlType.Q4_1] = (32, 20),
            [GgmlType.Q5_0] = (32, 22),
            [GgmlType.Q5_1] = (32, 24),
            [GgmlType.Q8_0] = (32, 34),
            [GgmlType.Q8_1] = (32, 36),
            [GgmlType.Q2_K] = (QK_K, 84),
            [GgmlType.Q3_K] = (QK_K, 110),
            [GgmlType.Q4_K] = (QK_K, 144),
            [GgmlType.Q5_K] = (QK_K, 176),
            [GgmlType.Q6_K] = (QK_K, 210),
            [GgmlType.Q8_K] = (QK_K, 292),
            [GgmlType.IQ2_XXS] = (QK_K, 66),
            [GgmlType.IQ2_XS] = (QK_K, 74),
            [GgmlType.IQ2_S] = (QK_K, 82),
            [GgmlType.IQ3_XXS] = (QK_K, 98),
            [GgmlType.IQ3_S] = (QK_K, 110),
            [GgmlType.IQ1_S] = (QK_K, 50),
            [GgmlType.IQ1_M] = (QK_K, 56),
            [GgmlType.IQ4_NL] = (32, 18),
            [GgmlType.IQ4_XS] = (QK_K, 136),
            [GgmlType.TQ1_0] = (QK_K, 54),
            [GgmlType.TQ2_0] = (QK_K, 66),
            [GgmlType.MXFP4] = (32, 17),
        };

    public static bool IsKnown(GgmlType type) => Table.ContainsKey(type);

    public static int BlockSize(GgmlType type) => Table[type].BlockSize;

    public static int TypeSize(GgmlType type) => Table[type].TypeSize;

    /// <summary>Bytes of a tensor with <paramref name="elements"/> elements, or null for a type this table lacks.</summary>
    public static long? ByteCount(GgmlType type, long elements) =>
        Table.TryGetValue(type, out var t) ? elements / t.BlockSize * t.TypeSize : null;
}
