namespace SafeDiffusion.Evaluation.Features.Inception;

/// <summary>The pool branch of an InceptionE block in the FID graph.</summary>
public enum FidInceptionEPool
{
    /// <summary>Mixed_7b (<c>FIDInceptionE_1</c>): average pool that excludes the padding.</summary>
    AverageExcludingPadding,

    /// <summary>Mixed_7c (<c>FIDInceptionE_2</c>): max pool, a quirk of the 2015-12-05 graph that FID scores depend on.</summary>
    Max,
}
