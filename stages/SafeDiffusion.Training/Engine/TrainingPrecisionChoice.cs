using SafeDiffusion.Core.Devices;

namespace SafeDiffusion.Training.Engine;

/// <summary>What <see cref="TrainingPrecision"/> comes to on a given device.</summary>
public static class TrainingPrecisionChoice
{
    /// <summary>
    /// True when training runs bf16 mixed precision. <see cref="TrainingPrecision.Auto"/> takes it only on a GPU that
    /// supports bfloat16 (<see cref="HalfPrecision.SupportsBFloat16"/>); elsewhere Auto trains in float32, not in
    /// float16: float16 gradients underflow without a loss scaler, which this trainer does not have. An explicit
    /// <see cref="TrainingPrecision.BFloat16Mixed"/> is kept as asked (the preflight refuses it on a GPU without bfloat16).
    /// </summary>
    /// <param name="computeCapability">The GPU's compute capability; null on the CPU or when the driver cannot say.</param>
    public static bool UsesBFloat16Mixed(TrainingPrecision requested, DeviceKind kind, (int Major, int Minor)? computeCapability) => requested switch
    {
        TrainingPrecision.BFloat16Mixed => true,
        TrainingPrecision.Float32 => false,
        _ => kind == DeviceKind.Cuda && HalfPrecision.SupportsBFloat16(kind, computeCapability),
    };
}
