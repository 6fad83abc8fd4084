using Microsoft.Extensions.Time.Testing;
using SafeDiffusion.Core.Progress;

namespace SafeDiffusion.Core.Tests.Progress;

public class PlainProgressSinkTests
{
    [Fact]
    public void Logs_are_throttled_and_show_rate_and_eta()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var output = new StringWriter();
        var sink = new PlainProgressSink(output, TimeSpan.FromSeconds(10), clock);
        using (var task = sink.Start("images", 100, "images"))
        {
            for (int i = 0; i < 5; i++)
            {
                clock.Advance(TimeSpan.FromSeconds(1));
                task.Increment();
            }
            clock.Advance(TimeSpan.FromSeconds(5));
            task.Increment(5);
        }
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length); // started, one throttled report, done
        Assert.Contains("images: 10/100 images (10.0%), 1 images/s, ETA 1:30", lines[1]);
        Assert.Contains("done, 10 images in 0:10", lines[2]);
    }
}
