using System.Collections.Concurrent;
using System.Diagnostics;
using Brigade.Diagnostics;

namespace Brigade.Tests.Review42;

/// <summary>
/// A run traced by an <see cref="ActivityListener"/> (OpenTelemetry's tracing) that ends with an exception whose
/// <see cref="Exception.Message"/> getter throws. Recording it on the run's span read its message and its
/// <see cref="Exception.ToString"/>: the getter's exception escaped in place of the run's own verdict.
/// </summary>
public sealed class TracedHostileExceptionTests
{
    [Fact(Timeout = 30_000)]
    public async Task SourceThrowsAHostileException_UnderATracer_RunStillThrowsSourceFailed_AndTheSpanSaysSo()
    {
        var label = $"review42-hostile-{Guid.NewGuid():N}";
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == BrigadeTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("brigade.label") as string == label)
                {
                    stopped.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        var thrown = await Assert.ThrowsAsync<SourceFailedException>(() => Runner.MapAsync(Source(), i => i, new RunOptions { Engine = Engine.ThreadPool, Label = label }));
        Assert.IsType<HostileMessageException>(thrown.InnerException);
        Assert.Equal(2, thrown.ItemsRead);

        var span = Assert.Single(stopped);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(typeof(HostileMessageException).FullName, span.GetTagItem(BrigadeTelemetry.ErrorTypeTag));
        var recorded = Assert.Single(span.Events, e => e.Name == "exception");
        Assert.Equal(typeof(HostileMessageException).FullName, recorded.Tags.Single(t => t.Key == "exception.type").Value);

        static IEnumerable<int> Source()
        {
            yield return 0;
            yield return 1;
            throw new HostileMessageException();
        }
    }

    private sealed class HostileMessageException : Exception
    {
        public override string Message => throw new InvalidOperationException("the Message getter throws");

        public override string? StackTrace => throw new InvalidOperationException("the StackTrace getter throws");
    }
}
