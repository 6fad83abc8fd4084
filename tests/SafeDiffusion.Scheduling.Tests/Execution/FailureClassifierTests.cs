using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Scheduling.Execution;

namespace SafeDiffusion.Scheduling.Tests.Execution;

public sealed class FailureClassifierTests
{
    [Fact]
    public void Mistakes_in_config_or_input_are_not_retried_even_inside_a_stage_failure()
    {
        Assert.False(FailureClassifier.IsTransient(new UsageException("bad key")));
        Assert.False(FailureClassifier.IsTransient(new InputDataException("model.safetensors", "is truncated.")));
        Assert.False(FailureClassifier.IsTransient(new StageFailedException("images", new InputDataException("unet/config.json", "missing."))));
    }

    [Fact]
    public void Io_errors_timeouts_and_other_stage_failures_are_retried()
    {
        Assert.True(FailureClassifier.IsTransient(new IOException("disk full")));
        Assert.True(FailureClassifier.IsTransient(new StageFailedException("images", new InvalidOperationException("CUDA out of memory"))));
        Assert.True(FailureClassifier.IsTransient(new PipelineException("locked", ExitCodes.Locked)));
        Assert.True(FailureClassifier.IsTransient(new OperationCanceledException(), timedOut: true));
    }

    [Fact]
    public void A_cancellation_that_is_not_the_run_timeout_is_not_a_failure_to_retry()
    {
        Assert.False(FailureClassifier.IsTransient(new OperationCanceledException(), timedOut: false));
    }
}
