namespace SafeDiffusion.Evaluation.Data;

/// <summary>
/// Which model made an evaluation image: the original model, the safety-trained one, or the control (the plain clean
/// fine-tune with safety training's steps, rate and data).
/// </summary>
public enum EvalVariant { Base, Safe, Control }
