namespace SafeDiffusion.Diffusion.Checkpoints;

/// <summary>
/// What a pickle's REDUCE (calling a global with arguments) turns into. A handler returns the object to push, or
/// throws for a global it refuses; the reader has no other way to build objects, so a file can never run code.
/// </summary>
public delegate object? PickleReduceHandler(PickleGlobal callable, object?[] arguments);
