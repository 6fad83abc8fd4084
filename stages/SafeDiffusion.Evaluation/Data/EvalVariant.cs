namespace SafeDiffusion.Evaluation.Data;

/// <summary>Which model made an evaluation image: the original model or the safety-trained one.</summary>
public enum EvalVariant { Base, Safe }
