using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Unet;

/// <summary>
/// Where a model's parameters are created: building the layers directly on the target device and in the target
/// type avoids initialising a full float32 copy on the CPU only to convert it before the weights are loaded.
/// </summary>
public readonly record struct ModulePlacement(Device? Device = null, ScalarType? DType = null);
