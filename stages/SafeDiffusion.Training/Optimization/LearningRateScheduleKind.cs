namespace SafeDiffusion.Training.Optimization;

/// <summary>The shape of the learning rate after warm-up (diffusers' <c>constant</c> and <c>cosine</c> schedules).</summary>
public enum LearningRateScheduleKind { Constant, Cosine }
