using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Optimization;

/// <summary>
/// Muon (Jordan et al., 2024): momentum SGD whose update for each weight matrix is replaced by the nearest
/// semi-orthogonal matrix, U V^T of the momentum's singular value decomposition, approximated by five steps of a
/// quintic Newton-Schulz iteration. Every direction the gradient points in then moves the weights by about the same
/// amount, where Adam's per-element scaling lets a few dominant directions take most of each step. Convolution
/// kernels are treated as matrices [out, in * kh * kw]. Only for weights inside the network: embeddings, the first
/// and last layers, biases and norm gains stay with AdamW (<see cref="MuonSettings.Accepts"/>).
/// <para>
/// The update is scaled by 0.2 * sqrt(max(rows, cols)) (Moonlight, Liu et al., 2025), which gives it the root mean
/// square of a typical AdamW update, so one learning rate and schedule drive both optimizers.
/// </para>
/// </summary>
public sealed class Muon : IDisposable
{
    // The quintic's coefficients from Jordan's reference: chosen for the steepest slope at zero, so that five steps
    // bring every singular value into roughly [0.7, 1.2]; Muon needs no more than that.
    private const float A = 3.4445f, B = -4.7750f, C = 2.0315f;

    private readonly IReadOnlyList<(string Name, Parameter Parameter)> _parameters;
    private readonly Dictionary<string, Tensor> _momentum = new(StringComparer.Ordinal);
    private readonly Dictionary<int, int[][]> _shares = [];

    public Muon(IEnumerable<(string Name, Parameter Parameter)> parameters, MuonSettings settings)
    {
        _parameters = parameters.ToList();
        Settings = settings;
        var duplicate = _parameters.GroupBy(p => p.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"parameter '{duplicate.Key}' is listed twice.", nameof(parameters));
        var notMatrix = _parameters.FirstOrDefault(p => p.Parameter.dim() < 2);
        if (notMatrix.Parameter is not null)
            throw new ArgumentException($"parameter '{notMatrix.Name}' has {notMatrix.Parameter.dim()} dimension(s); Muon updates matrices and kernels only.", nameof(parameters));
    }

    public MuonSettings Settings { get; }

    public IReadOnlyList<(string Name, Parameter Parameter)> Parameters => _parameters;

    /// <summary>Applies one update with learning rate <paramref name="learningRate"/> to every parameter that has a gradient.</summary>
    public void Step(double learningRate) => Step(learningRate, 0, 1);

    /// <summary>
    /// Applies one update to share <paramref name="partition"/> of <paramref name="partitions"/> of the parameters.
    /// The shares are disjoint and of about equal cost, so callers with several threads can run one share on each
    /// (each thread with its own torch thread) and together make the same update as <see cref="Step(double)"/>.
    /// </summary>
    public void Step(double learningRate, int partition, int partitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(partition, partitions);
        using var noGrad = torch.no_grad();
        // Scalars are held for the whole step rather than converted implicitly at each call: TorchSharp passes a
        // Scalar's bare handle to libtorch, so a temporary one can be finalized by a collection that another thread
        // starts while the call still reads it (seen as a corrupt alpha in add, with shares on two threads).
        using Scalar decay = 1 - learningRate * Settings.WeightDecay;
        foreach (int index in SharesOf(partitions)[partition])
        {
            var (name, parameter) = _parameters[index];
            using var scope = NewDisposeScope();
            var grad = parameter.grad;
            if (grad is null) continue;
            var momentum = _momentum[name];
            // lerp's weight is a tensor (made from the double and held by the scope), not a Scalar.
            momentum.lerp_(grad, 1 - Settings.Momentum);
            var direction = Settings.Nesterov ? grad.lerp(momentum, Settings.Momentum) : momentum;
            long rows = parameter.shape[0], cols = parameter.numel() / rows;
            var update = Orthogonalise(direction.reshape(rows, cols), Settings.NewtonSchulzSteps);
            using Scalar step = -learningRate * 0.2 * Math.Sqrt(Math.Max(rows, cols));
            parameter.mul_(decay);
            parameter.add_(update.view_as(parameter), step);
        }
    }

    /// <summary>
    /// Approximately U V^T for <paramref name="g"/> = U S V^T: the matrix scaled to spectral norm at most one (by its
    /// Frobenius norm), then <paramref name="steps"/> steps of X = a X + (b X X^T + c (X X^T)^2) X on the wide side.
    /// </summary>
    public static Tensor Orthogonalise(Tensor g, int steps)
    {
        if (g.dim() != 2) throw new ArgumentException($"expected a matrix, got {g.dim()} dimensions.", nameof(g));
        bool tall = g.shape[0] > g.shape[1];
        var x = tall ? g.t() : g;
        using Scalar epsilon = 1e-7, one = 1;
        x = x.div(x.norm().add(epsilon, one));
        for (int i = 0; i < steps; i++)
        {
            var gram = x.matmul(x.t());
            var poly = addmm(gram, gram, gram, beta: B, alpha: C);
            x = addmm(x, poly, x, beta: A, alpha: 1);
        }
        return tall ? x.t() : x;
    }

    /// <summary>
    /// The parameters' indices split into <paramref name="partitions"/> shares of about equal Newton-Schulz cost (the
    /// largest first, each to the least loaded share), with every momentum buffer made before any share runs.
    /// </summary>
    private int[][] SharesOf(int partitions)
    {
        lock (_shares)
        {
            if (_shares.TryGetValue(partitions, out var shares)) return shares;
            foreach (var (name, parameter) in _parameters)
            {
                // Buffers live outside every dispose scope for the optimizer's lifetime.
                if (!_momentum.ContainsKey(name)) _momentum[name] = zeros_like(parameter, dtype: ScalarType.Float32).DetachFromDisposeScope();
            }
            var load = new double[partitions];
            var lists = Enumerable.Range(0, partitions).Select(_ => new List<int>()).ToArray();
            foreach (int index in Enumerable.Range(0, _parameters.Count).OrderByDescending(i => Cost(_parameters[i].Parameter)))
            {
                int least = Array.IndexOf(load, load.Min());
                lists[least].Add(index);
                load[least] += Cost(_parameters[index].Parameter);
            }
            shares = lists.Select(l => l.Order().ToArray()).ToArray();
            _shares[partitions] = shares;
            return shares;
        }
    }

    private static double Cost(Parameter parameter)
    {
        double rows = parameter.shape[0], cols = parameter.numel() / parameter.shape[0];
        return Math.Min(rows, cols) * Math.Min(rows, cols) * Math.Max(rows, cols);
    }

    public void Dispose()
    {
        foreach (var buffer in _momentum.Values) buffer.Dispose();
        _momentum.Clear();
    }
}
