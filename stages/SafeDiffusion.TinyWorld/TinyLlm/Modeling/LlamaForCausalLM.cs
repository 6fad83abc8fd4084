using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using SafeDiffusion.Prompts.Gguf;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.TinyLlm.Modeling;

/// <summary>
/// transformers' <c>LlamaForCausalLM</c> (untied <c>lm_head</c>), registered under transformers' state-dict keys
/// (<c>model.layers.0.self_attn.q_proj.weight</c>, ...) so <see cref="LlamaGgufExporter"/> can map them to
/// llama.cpp's tensor names exactly as convert_hf_to_gguf.py does.
/// </summary>
public sealed class LlamaForCausalLM : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "model")]
    private readonly LlamaModel _model;
    [ComponentName(Name = "lm_head")]
    private readonly Linear _lmHead;

    public LlamaForCausalLM(LlamaHyperParameters p, Device? device = null) : base(nameof(LlamaForCausalLM))
    {
        HyperParameters = p;
        _model = new LlamaModel(p, device);
        _lmHead = nn.Linear(p.EmbeddingLength, p.VocabularySize, hasBias: false, device: device);
        RegisterComponents();
    }

    public LlamaHyperParameters HyperParameters { get; }

    /// <summary>Final-norm hidden states <c>[batch, positions, hidden]</c>.</summary>
    public Tensor HiddenStates(Tensor inputIds) => _model.forward(inputIds);

    /// <summary>Next-token logits of hidden states (any leading shape).</summary>
    public Tensor Head(Tensor hidden) => _lmHead.forward(hidden);

    /// <summary>Next-token logits <c>[batch, positions, vocabulary]</c> of token ids <c>[batch, positions]</c>.</summary>
    public override Tensor forward(Tensor inputIds)
    {
        using var scope = torch.NewDisposeScope();
        return _lmHead.forward(_model.forward(inputIds)).MoveToOuterDisposeScope();
    }
}
