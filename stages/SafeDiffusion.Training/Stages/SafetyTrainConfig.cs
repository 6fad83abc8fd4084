using System.ComponentModel.DataAnnotations;
using SafeDiffusion.Training.Objectives;

namespace SafeDiffusion.Training.Stages;

/// <summary>
/// The <c>safety-train</c> stage. Defaults are the paper's: 200 steps, lr 1e-5, batch 1, lambda 5e-5, lambda_c 1, l 0,
/// and the public code's LT shift 100 and NG offset 1.
/// </summary>
public sealed record SafetyTrainConfig : FineTuneConfig
{
    /// <summary>lt, ng, high-safety, or plain (fine-tuning on the clean and harmful rows without a safety term).</summary>
    public SafetyMethod Method { get; init; } = SafetyMethod.Lt;

    /// <summary>lambda: weight of L_c.</summary>
    [Range(0.0, 1e6)]
    public double Lambda { get; init; } = 5e-5;

    /// <summary>lambda_c: weight of the push from the other class's centre inside L_c.</summary>
    [Range(0.0, 1e6)]
    public double LambdaC { get; init; } = 1.0;

    /// <summary>l: margin of the push from the other centre.</summary>
    [Range(0.0, 1e12)]
    public double Margin { get; init; }

    /// <summary>s: LT's shift.</summary>
    [Range(-1e6, 1e6)]
    public double Shift { get; init; } = 100.0;

    /// <summary>o: NG's noise offset.</summary>
    [Range(-1e6, 1e6)]
    public double Offset { get; init; } = 1.0;

    /// <summary>True: L_c carries gradients (the paper). False: the public code's .item(), a constant.</summary>
    public bool ContrastGradient { get; init; } = true;

    /// <summary>Which train rows feed training: both classes (the method), or clean only (a plain clean fine-tune baseline).</summary>
    public TrainingRows Rows { get; init; } = TrainingRows.CleanAndHarmful;

    internal ObjectiveSettings Objective => new()
    {
        Method = Method,
        Lambda = Lambda,
        LambdaC = LambdaC,
        Margin = Margin,
        Shift = Shift,
        Offset = Offset,
        ContrastGradient = ContrastGradient,
    };
}

/// <summary>Which of the dataset's classes a fine-tune reads.</summary>
public enum TrainingRows { CleanAndHarmful, CleanOnly }
