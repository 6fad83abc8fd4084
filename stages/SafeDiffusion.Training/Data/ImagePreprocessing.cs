namespace SafeDiffusion.Training.Data;

/// <summary>How an image becomes a training input (the diffusers text-to-image script's transforms).</summary>
/// <param name="Resolution">Side of the square training image in pixels.</param>
/// <param name="CenterCrop">Crop the middle (true) or a random square (false) after resizing.</param>
/// <param name="RandomFlip">Mirror left-right with probability 1/2.</param>
public sealed record ImagePreprocessing(int Resolution, bool CenterCrop = true, bool RandomFlip = true);
