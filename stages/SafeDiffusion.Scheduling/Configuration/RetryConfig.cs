using System.ComponentModel.DataAnnotations;
using SafeDiffusion.Core.Configuration;

namespace SafeDiffusion.Scheduling.Configuration;

/// <summary>
/// How a firing whose run fails transiently is tried again: up to <see cref="Attempts"/> tries in all, waiting
/// <see cref="InitialDelay"/> before the second and doubling each time up to <see cref="MaxDelay"/>.
/// </summary>
public sealed record RetryConfig : IValidatableConfig
{
    /// <summary>Tries per firing, the first included (1: never retry).</summary>
    [Range(1, 100)]
    public int Attempts { get; init; } = 3;

    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromHours(1);

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (InitialDelay < TimeSpan.Zero) yield return ("initialDelay", "must not be negative.");
        if (MaxDelay < InitialDelay) yield return ("maxDelay", $"must be at least initialDelay ({InitialDelay}).");
    }
}
