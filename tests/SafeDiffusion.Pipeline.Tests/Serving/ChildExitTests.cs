using SafeDiffusion.Core.Errors;
using SafeDiffusion.Pipeline.Serving;
using SafeDiffusion.Scheduling.Execution;

namespace SafeDiffusion.Pipeline.Tests.Serving;

/// <summary>
/// A `serve-try` child's exit code, as the scheduler sees it: the user's mistakes (2 usage, 3 input data) are not
/// retried; a failure (1) and a death by signal (134 = SIGABRT, 137 = SIGKILL, 139 = SIGSEGV) are.
/// </summary>
public sealed class ChildExitTests
{
    [Theory]
    [InlineData(2, false)]
    [InlineData(3, false)]
    [InlineData(1, true)]
    [InlineData(134, true)]
    [InlineData(137, true)]
    [InlineData(139, true)]
    public void An_exit_code_is_retried_only_when_it_is_not_the_users_mistake(int exitCode, bool retried)
    {
        var error = ChildExit.ToException(exitCode, lastError: null);

        Assert.Equal(retried, FailureClassifier.IsTransient(error));
    }

    [Fact]
    public void The_childs_own_error_line_is_the_message_and_a_kill_adds_the_signal()
    {
        var usage = ChildExit.ToException(ExitCodes.Usage, "config.yaml: unknown key 'stagez'");
        var aborted = ChildExit.ToException(134, "something the child printed before it aborted");

        Assert.Equal(("config.yaml: unknown key 'stagez'", ExitCodes.Usage), (usage.Message, usage.ExitCode));
        Assert.StartsWith("something the child printed before it aborted", aborted.Message);
        Assert.Contains("signal 6", aborted.Message);
        Assert.Equal(ExitCodes.Failure, aborted.ExitCode);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, true)]
    [InlineData(3, true)]
    [InlineData(130, true)]
    [InlineData(134, false)]
    [InlineData(137, false)]
    public void Only_a_child_killed_by_a_signal_left_its_run_without_an_outcome(int exitCode, bool orderly) =>
        Assert.Equal(orderly, ChildExit.IsOrderly(exitCode));
}
