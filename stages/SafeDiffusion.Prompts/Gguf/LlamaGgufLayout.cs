namespace SafeDiffusion.Prompts.Gguf;

/// <summary>
/// The metadata keys, tensor names and tensor shapes llama.cpp's loader expects of a <c>llama</c>-architecture
/// GGUF (src/llama-arch.cpp names, src/llama-model.cpp shapes), for exporters such as a TorchSharp-trained model.
/// </summary>
/// <remarks>
/// <para>Shapes here are row-major (PyTorch) shapes, which is what <see cref="GgufWriter.AddTensor"/> takes; the
/// file stores them reversed (ggml's <c>ne[0]</c> is the contiguous dimension), so <c>token_embd.weight</c> of
/// shape <c>[n_vocab, n_embd]</c> appears in the file as <c>{n_embd, n_vocab}</c>. A PyTorch <c>nn.Linear</c>
/// weight <c>[out_features, in_features]</c> is written unchanged: llama.cpp computes <c>W x</c> with it.</para>
/// <para>Per block <c>i</c> (head dimension <c>d = n_embd / n_head</c>):
/// <c>blk.i.attn_norm.weight [n_embd]</c>, <c>blk.i.attn_q.weight [n_head*d, n_embd]</c>,
/// <c>blk.i.attn_k.weight [n_head_kv*d, n_embd]</c>, <c>blk.i.attn_v.weight [n_head_kv*d, n_embd]</c>,
/// <c>blk.i.attn_output.weight [n_embd, n_head*d]</c>, <c>blk.i.ffn_norm.weight [n_embd]</c>,
/// <c>blk.i.ffn_gate.weight [n_ff, n_embd]</c>, <c>blk.i.ffn_up.weight [n_ff, n_embd]</c>,
/// <c>blk.i.ffn_down.weight [n_embd, n_ff]</c>; plus <c>token_embd.weight [n_vocab, n_embd]</c>,
/// <c>output_norm.weight [n_embd]</c> and <c>output.weight [n_vocab, n_embd]</c> (optional: without it the
/// embedding is tied). The loader rejects files with tensors it did not ask for.</para>
/// <para>Rotary embedding: the llama architecture rotates adjacent pairs <c>(x[2j], x[2j+1])</c> of each head
/// (Meta's original layout). Hugging Face checkpoints rotate halves <c>(x[j], x[j+d/2])</c>; a model trained that
/// way needs <see cref="PermuteForInterleavedRope"/> on its q and k weights before writing, exactly as
/// convert_hf_to_gguf.py does. A model trained with pairwise rotation is written as it is.</para>
/// </remarks>
public static class LlamaGgufLayout
{
    public const string Architecture = "llama";

    public const string ArchitectureKey = "general.architecture";
    public const string NameKey = "general.name";
    public const string ContextLengthKey = "llama.context_length";
    public const string EmbeddingLengthKey = "llama.embedding_length";
    public const string BlockCountKey = "llama.block_count";
    public const string FeedForwardLengthKey = "llama.feed_forward_length";
    public const string HeadCountKey = "llama.attention.head_count";
    public const string HeadCountKvKey = "llama.attention.head_count_kv";
    public const string RmsEpsilonKey = "llama.attention.layer_norm_rms_epsilon";
    public const string RopeDimensionCountKey = "llama.rope.dimension_count";
    public const string RopeFreqBaseKey = "llama.rope.freq_base";
    public const string VocabSizeKey = "llama.vocab_size";

    public const string TokenizerModelKey = "tokenizer.ggml.model";
    public const string TokensKey = "tokenizer.ggml.tokens";
    public const string ScoresKey = "tokenizer.ggml.scores";
    public const string TokenTypeKey = "tokenizer.ggml.token_type";
    public const string MergesKey = "tokenizer.ggml.merges";
    public const string BosIdKey = "tokenizer.ggml.bos_token_id";
    public const string EosIdKey = "tokenizer.ggml.eos_token_id";
    public const string UnknownIdKey = "tokenizer.ggml.unknown_token_id";
    public const string PaddingIdKey = "tokenizer.ggml.padding_token_id";
    public const string AddBosKey = "tokenizer.ggml.add_bos_token";
    public const string AddEosKey = "tokenizer.ggml.add_eos_token";
    public const string ChatTemplateKey = "tokenizer.chat_template";

    public const string TokenEmbedding = "token_embd.weight";
    public const string OutputNorm = "output_norm.weight";
    public const string Output = "output.weight";

    public static string AttentionNorm(int block) => $"blk.{block}.attn_norm.weight";
    public static string AttentionQuery(int block) => $"blk.{block}.attn_q.weight";
    public static string AttentionKey(int block) => $"blk.{block}.attn_k.weight";
    public static string AttentionValue(int block) => $"blk.{block}.attn_v.weight";
    public static string AttentionOutput(int block) => $"blk.{block}.attn_output.weight";
    public static string FeedForwardNorm(int block) => $"blk.{block}.ffn_norm.weight";
    public static string FeedForwardGate(int block) => $"blk.{block}.ffn_gate.weight";
    public static string FeedForwardUp(int block) => $"blk.{block}.ffn_up.weight";
    public static string FeedForwardDown(int block) => $"blk.{block}.ffn_down.weight";

    /// <summary>Every tensor a llama model of these sizes must have, with its row-major shape.</summary>
    public static IReadOnlyList<(string Name, long[] Shape)> ExpectedTensors(LlamaHyperParameters p, bool tiedOutput = false)
    {
        long e = p.EmbeddingLength, v = p.VocabularySize, ff = p.FeedForwardLength;
        long d = p.HeadDimension, q = p.HeadCount * d, kv = p.HeadCountKv * d;
        var list = new List<(string, long[])> { (TokenEmbedding, [v, e]) };
        for (int i = 0; i < p.BlockCount; i++)
        {
            list.Add((AttentionNorm(i), [e]));
            list.Add((AttentionQuery(i), [q, e]));
            list.Add((AttentionKey(i), [kv, e]));
            list.Add((AttentionValue(i), [kv, e]));
            list.Add((AttentionOutput(i), [e, q]));
            list.Add((FeedForwardNorm(i), [e]));
            list.Add((FeedForwardGate(i), [ff, e]));
            list.Add((FeedForwardUp(i), [ff, e]));
            list.Add((FeedForwardDown(i), [e, ff]));
        }
        list.Add((OutputNorm, [e]));
        if (!tiedOutput) list.Add((Output, [v, e]));
        return list;
    }

    /// <summary>Writes the hyper-parameter keys llama.cpp reads for the llama architecture.</summary>
    public static void AddHyperParameters(GgufWriter writer, LlamaHyperParameters p)
    {
        writer.Add(ArchitectureKey, Architecture);
        writer.Add(ContextLengthKey, (uint)p.ContextLength);
        writer.Add(EmbeddingLengthKey, (uint)p.EmbeddingLength);
        writer.Add(BlockCountKey, (uint)p.BlockCount);
        writer.Add(FeedForwardLengthKey, (uint)p.FeedForwardLength);
        writer.Add(HeadCountKey, (uint)p.HeadCount);
        writer.Add(HeadCountKvKey, (uint)p.HeadCountKv);
        writer.Add(RmsEpsilonKey, p.RmsNormEpsilon);
        writer.Add(RopeDimensionCountKey, (uint)p.HeadDimension);
        writer.Add(RopeFreqBaseKey, p.RopeFreqBase);
        writer.Add(VocabSizeKey, (uint)p.VocabularySize);
    }

    /// <summary>
    /// Reorders the rows of a q or k projection weight (<c>[n_head * d, n_in]</c>, row-major) from Hugging Face's
    /// half-split rotary layout to llama.cpp's pairwise layout: within each head, row <c>j</c> of the first half
    /// and row <c>j</c> of the second half become rows <c>2j</c> and <c>2j+1</c>.
    /// </summary>
    public static float[] PermuteForInterleavedRope(ReadOnlySpan<float> weight, int headCount, int rows, int columns)
    {
        if (weight.Length != (long)rows * columns) throw new ArgumentException($"Weight has {weight.Length} values, not {rows}x{columns}.", nameof(weight));
        if (rows % headCount != 0 || rows / headCount % 2 != 0)
            throw new ArgumentException($"{rows} rows do not split into {headCount} heads of even size.", nameof(rows));
        int d = rows / headCount, half = d / 2;
        var result = new float[weight.Length];
        for (int h = 0; h < headCount; h++)
        for (int j = 0; j < half; j++)
        for (int part = 0; part < 2; part++)
        {
            var source = h * d + part * half + j;
            var target = h * d + 2 * j + part;
            weight.Slice(source * columns, columns).CopyTo(result.AsSpan(target * columns, columns));
        }
        return result;
    }
}
