namespace SafeDiffusion.Pipeline.Serving;

/// <summary>
/// What `serve` and its `serve-try` child agree on: the hidden options that carry a try's request, and the stdout
/// line that reports the run id. Every other line the child writes is log text.
/// </summary>
internal static class ServeTryProtocol
{
    /// <summary>Starts the stdout line that carries the run id, as soon as the run folder exists.</summary>
    public const string RunCreatedPrefix = "serve-try:run-created ";

    public const string Runs = "--runs";
    public const string Resume = "--run";
    public const string Trigger = "--trigger";
    public const string ScheduledFire = "--scheduled-fire";
    public const string Attempt = "--attempt";
    public const string TestAbortOnAttempt = "--test-abort-on-attempt";
}
