using System.Globalization;
using SafeDiffusion.Prompts.Gguf;
using SafeDiffusion.TinyWorld.TinyLlm.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.TinyLlm;

/// <summary>
/// Writes a <see cref="LlamaForCausalLM"/> as a llama-architecture GGUF the way convert_hf_to_gguf.py converts a
/// transformers Llama: transformers' state-dict keys map to llama.cpp's tensor names, and the rows of every q and
/// k projection are reordered from transformers' half-split rotary layout to llama.cpp's adjacent-pair layout
/// (<see cref="LlamaGgufLayout.PermuteForInterleavedRope"/>, with the key/value head count for k).
/// </summary>
public static class LlamaGgufExporter
{
    public const string FileTypeKey = "general.file_type";

    /// <summary>Builds the file in memory: hyper-parameters, metadata, tokenizer, chat template and tensors.</summary>
    public static GgufWriter CreateWriter(LlamaForCausalLM module, TinyLlamaVocabulary vocabulary, TinyLlamaGgufMetadata metadata)
    {
        if (metadata.MatrixType is not (GgmlType.F32 or GgmlType.F16))
            throw new ArgumentException($"Matrices are exported as F32 or F16, not {metadata.MatrixType}.", nameof(metadata));
        var p = module.HyperParameters;
        if (p.VocabularySize != vocabulary.Count)
            throw new ArgumentException($"The model has {p.VocabularySize} token rows but the vocabulary {vocabulary.Count} tokens.", nameof(vocabulary));

        var writer = new GgufWriter();
        LlamaGgufLayout.AddHyperParameters(writer, p);
        writer.Add(LlamaGgufLayout.NameKey, metadata.Name);
        // llama_ftype: 0 = all F32, 1 = mostly F16.
        writer.Add(FileTypeKey, metadata.MatrixType == GgmlType.F16 ? 1u : 0u);
        vocabulary.AddTo(writer);
        foreach (var (key, value) in metadata.Extra.OrderBy(e => e.Key, StringComparer.Ordinal)) writer.Add(key, value);

        var state = module.state_dict();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, shape) in LlamaGgufLayout.ExpectedTensors(p))
        {
            var (source, permuteHeads) = SourceOf(name, p);
            if (!state.TryGetValue(source, out var tensor))
                throw new InvalidOperationException($"The model has no '{source}' for GGUF tensor '{name}'.");
            if (!tensor.shape.SequenceEqual(shape))
                throw new InvalidOperationException($"'{source}' has shape [{string.Join(", ", tensor.shape)}]; GGUF tensor '{name}' needs [{string.Join(", ", shape)}].");
            used.Add(source);

            var data = Values(tensor);
            if (permuteHeads > 0) data = LlamaGgufLayout.PermuteForInterleavedRope(data, permuteHeads, (int)shape[0], (int)shape[1]);
            // Norm weights are vectors and stay F32, as in every llama.cpp conversion.
            writer.AddTensor(name, data, shape, shape.Length == 1 ? GgmlType.F32 : metadata.MatrixType);
        }
        var unused = state.Keys.Where(k => !used.Contains(k)).ToList();
        if (unused.Count > 0)
            throw new InvalidOperationException($"The model has tensors the llama GGUF layout has no place for: {string.Join(", ", unused)}.");
        return writer;
    }

    /// <summary>The transformers key a GGUF tensor comes from, and the head count to reorder its rows by (0: none).</summary>
    public static (string Source, int PermuteHeads) SourceOf(string ggufName, LlamaHyperParameters p)
    {
        switch (ggufName)
        {
            case LlamaGgufLayout.TokenEmbedding: return ("model.embed_tokens.weight", 0);
            case LlamaGgufLayout.OutputNorm: return ("model.norm.weight", 0);
            case LlamaGgufLayout.Output: return ("lm_head.weight", 0);
        }
        var parts = ggufName.Split('.');
        if (parts.Length != 4 || parts[0] != "blk" || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var block))
            throw new ArgumentException($"'{ggufName}' is not a llama GGUF tensor name.", nameof(ggufName));
        var prefix = $"model.layers.{block}.";
        return parts[2] switch
        {
            "attn_norm" => (prefix + "input_layernorm.weight", 0),
            "attn_q" => (prefix + "self_attn.q_proj.weight", p.HeadCount),
            "attn_k" => (prefix + "self_attn.k_proj.weight", p.HeadCountKv),
            "attn_v" => (prefix + "self_attn.v_proj.weight", 0),
            "attn_output" => (prefix + "self_attn.o_proj.weight", 0),
            "ffn_norm" => (prefix + "post_attention_layernorm.weight", 0),
            "ffn_gate" => (prefix + "mlp.gate_proj.weight", 0),
            "ffn_up" => (prefix + "mlp.up_proj.weight", 0),
            "ffn_down" => (prefix + "mlp.down_proj.weight", 0),
            _ => throw new ArgumentException($"'{ggufName}' is not a llama GGUF tensor name.", nameof(ggufName)),
        };
    }

    private static float[] Values(Tensor tensor)
    {
        using var scope = torch.NewDisposeScope();
        return tensor.detach().to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
    }
}
