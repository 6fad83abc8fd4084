namespace SafeDiffusion.Training.Objectives;

/// <summary>The objective's constants, with the paper's and the public code's values as defaults.</summary>
public sealed record ObjectiveSettings
{
    public SafetyMethod Method { get; init; } = SafetyMethod.Lt;

    /// <summary>lambda: weight of the contrastive term L_c in the loss (paper: 5e-5).</summary>
    public double Lambda { get; init; } = 5e-5;

    /// <summary>lambda_c: weight of the push away from the other class's centre inside L_c (paper: 1).</summary>
    public double LambdaC { get; init; } = 1.0;

    /// <summary>l: the margin the distance to the other centre must exceed before the push stops counting (paper: 0).</summary>
    public double Margin { get; init; }

    /// <summary>s: the LT shift; clean latents become -z0_hat - s, harmful ones z0_hat + s (public code: 100).</summary>
    public double Shift { get; init; } = 100.0;

    /// <summary>o: the NG noise offset; clean rows are corrupted with e + o, harmful ones with e - o (public code: 1).</summary>
    public double Offset { get; init; } = 1.0;

    /// <summary>
    /// True (the paper): L_c is part of the autograd graph. False (the public code): L_c is a number computed with
    /// <c>.item()</c>, so it adds a constant to the loss and no gradient.
    /// </summary>
    public bool ContrastGradient { get; init; } = true;

    /// <summary>Weight of the harmful rows' L_mse in high safety: the loss has <c>-HarmfulAscent * L_mse</c> for them (public code: 0.5).</summary>
    public double HarmfulAscent { get; init; } = 0.5;
}
