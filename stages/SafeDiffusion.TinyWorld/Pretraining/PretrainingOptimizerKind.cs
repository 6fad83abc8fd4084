namespace SafeDiffusion.TinyWorld.Pretraining;

/// <summary>Which optimizer a pretraining updates its network's matrices with.</summary>
public enum PretrainingOptimizerKind
{
    /// <summary>AdamW for every parameter.</summary>
    AdamW,

    /// <summary>
    /// Muon for the matrices and kernels inside the network (<see cref="SafeDiffusion.TinyWorld.Optimization.Muon"/>),
    /// AdamW for the rest: vectors, embedding tables and the layers at the network's boundaries.
    /// </summary>
    Muon,
}
