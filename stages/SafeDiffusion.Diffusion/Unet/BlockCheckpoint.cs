using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace SafeDiffusion.Diffusion.Unet;

/// <summary>
/// Gradient checkpointing for one UNet block, in place of <c>torch.utils.checkpoint</c> (which TorchSharp lacks): a
/// custom autograd function whose forward runs the block without recording a graph and keeps only the block's inputs;
/// its backward runs the block again with a graph, back-propagates the incoming gradients through it (the block's
/// parameters receive their gradients there) and returns the inputs' gradients. Activations inside a block then live
/// only while that block is recomputed, at the price of a second forward pass per block. The block must compute the
/// same values twice (no dropout draws, no state that the first pass changes).
/// </summary>
internal sealed class BlockCheckpoint : MultiTensorFunction<BlockCheckpoint>
{
    public override string Name => nameof(BlockCheckpoint);

    /// <summary>
    /// Runs <paramref name="body"/> on <paramref name="inputs"/> under checkpointing. The body must return tensors it
    /// created (no input passed through, no tensor twice), each of which the caller goes on to use: a gradient that
    /// never arrives for an output cannot be materialised by the function.
    /// </summary>
    public static IReadOnlyList<Tensor> Run(Func<IReadOnlyList<Tensor>, IReadOnlyList<Tensor>> body, IReadOnlyList<Tensor> inputs)
    {
        var arguments = new object[inputs.Count + 1];
        arguments[0] = new Body(body);
        for (int i = 0; i < inputs.Count; i++) arguments[i + 1] = inputs[i];
        return apply(arguments);
    }

    public override List<Tensor> forward(AutogradContext ctx, params object[] vars)
    {
        var body = (Body)vars[0];
        var inputs = vars.Skip(1).Cast<Tensor>().ToList();
        ctx.save_data(nameof(Body), body);
        ctx.save_data(nameof(Tensor.requires_grad), inputs.Select(t => t.requires_grad).ToArray());
        ctx.save_for_backward(inputs);
        // The block's intermediates go with this scope; only its outputs leave it.
        using var scope = NewDisposeScope();
        var outputs = body.Function(inputs).ToList();
        foreach (var output in outputs) output.MoveToOuterDisposeScope();
        return outputs;
    }

    public override List<Tensor> backward(AutogradContext ctx, List<Tensor> grad_outputs)
    {
        var body = (Body)ctx.get_data(nameof(Body));
        var requiresGrad = (bool[])ctx.get_data(nameof(Tensor.requires_grad));
        var saved = ctx.get_saved_variables();
        var gradients = new List<Tensor>(saved.Count + 1) { null! };
        using (var scope = NewDisposeScope())
        {
            var inputs = saved.Select((t, i) => t.detach().requires_grad_(requiresGrad[i])).ToList();
            IReadOnlyList<Tensor> outputs;
            using (enable_grad()) outputs = body.Function(inputs);
            var differentiable = outputs.Select((o, i) => (Output: o, Gradient: grad_outputs[i])).Where(p => p.Output.requires_grad).ToList();
            if (differentiable.Count > 0)
                torch.autograd.backward(differentiable.Select(p => p.Output).ToList(), differentiable.Select(p => p.Gradient).ToList());
            foreach (var input in inputs)
                gradients.Add(input.requires_grad && input.grad is { } g ? g.MoveToOuterDisposeScope() : null!);
        }
        foreach (var t in saved) t.Dispose();
        return gradients;
    }

    /// <summary>The block's forward pass, carried from forward to backward in the autograd context.</summary>
    private sealed record Body(Func<IReadOnlyList<Tensor>, IReadOnlyList<Tensor>> Function);
}
