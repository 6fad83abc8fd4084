namespace SafeDiffusion.Training.Engine;

/// <summary>
/// Number formats of a training run. <see cref="Auto"/> is bf16 mixed precision on a CUDA GPU with bfloat16 (compute capability 8.0+) and float32
/// elsewhere (<see cref="TrainingPrecisionChoice"/>).
/// <see cref="BFloat16Mixed"/> keeps a float32 master copy of the trained weights and the optimizer state, and runs
/// the forward and backward passes on a bfloat16 copy (the frozen VAE and text encoder run in bfloat16 too).
/// </summary>
public enum TrainingPrecision { Auto, Float32, BFloat16Mixed }
