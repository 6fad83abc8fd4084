using SafeDiffusion.TinyWorld.Optimization;
using SafeDiffusion.Training.Optimization;
using Parameter = TorchSharp.Modules.Parameter;

namespace SafeDiffusion.TinyWorld.Pretraining;

/// <summary>
/// The optimizer of a tiny-world pretraining: AdamW alone, or Muon for the network's inner matrices and AdamW for
/// the rest (<see cref="PretrainingOptimizerKind"/>), both driven by one learning-rate schedule (Muon's rate a fixed
/// multiple of it). Muon's Newton-Schulz iterations are split over the data-parallel replicas' threads.
/// </summary>
public sealed class PretrainingOptimizer : IDisposable
{
    private readonly AdamW _adamW;
    private readonly Muon? _muon;
    private readonly double _muonRateFactor;

    /// <param name="parameters">Every trained parameter, by name.</param>
    /// <param name="adamWPrefixes">Names of matrices that stay with AdamW under Muon (<see cref="MuonSettings.Accepts"/>).</param>
    public PretrainingOptimizer(IReadOnlyList<(string Name, Parameter Parameter)> parameters, PretrainingOptimizerKind kind, double muonRateFactor,
        IReadOnlyList<string> adamWPrefixes)
    {
        bool muon = kind == PretrainingOptimizerKind.Muon;
        bool TakesMuon((string Name, Parameter Parameter) p) => muon && MuonSettings.Accepts(p.Name, p.Parameter.dim(), adamWPrefixes);
        _adamW = new AdamW(parameters.Where(p => !TakesMuon(p)), new AdamWSettings());
        _muon = muon ? new Muon(parameters.Where(TakesMuon), new MuonSettings()) : null;
        _muonRateFactor = muonRateFactor;
    }

    /// <summary>Names of the parameters Muon updates (none with AdamW alone).</summary>
    public IEnumerable<string> MuonParameters => _muon?.Parameters.Select(p => p.Name) ?? [];

    /// <summary>One update at <paramref name="learningRate"/>, Muon's share of the work run on <paramref name="copies"/>' threads.</summary>
    public void Step<TReplica>(double learningRate, DataParallelReplicas<TReplica> copies)
    {
        _adamW.Step(learningRate);
        if (_muon is { } muon)
            copies.Run((_, r) => { muon.Step(learningRate * _muonRateFactor, r, copies.Count); return 0; });
    }

    public void Dispose()
    {
        _adamW.Dispose();
        _muon?.Dispose();
    }
}
