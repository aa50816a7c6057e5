using System.Collections.Concurrent;
using System.Diagnostics;
using Brigade.Diagnostics;
using Brigade.Tests.Infrastructure;

namespace Brigade.Tests;

/// <summary>Leaving a stream early, at any moment, raises no error anywhere.</summary>
/// <remarks>Serial: it forces garbage collections and listens to the process-wide unobserved-exception event.</remarks>
[Collection(SerialCollection.Name)]
public sealed class RunStreamAbortTests
{
    [Fact]
    public async Task StreamAsync_ReaderLeavesAfterRunFinished_RaisesNoUnobservedError()
    {
        // The run's activity stops after the run has cleaned up; only then does the reader leave, results still unread.
        var label = $"leave-after-end-{Guid.NewGuid():N}";
        var runEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == BrigadeTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                if (label.Equals(activity.GetTagItem("brigade.label")))
                {
                    runEnded.TrySetResult();
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var unobserved = new ConcurrentQueue<Exception>();
        EventHandler<UnobservedTaskExceptionEventArgs> onUnobserved = (_, e) => unobserved.Enqueue(e.Exception);
        TaskScheduler.UnobservedTaskException += onUnobserved;
        try
        {
            var stream = Runner.StreamAsync(new[] { 1, 2, 3 }, x => x, new RunOptions { Label = label });
            async Task ReadOneAfterTheRunEndedAsync()
            {
                await foreach (var _ in stream)
                {
                    await runEnded.Task.Bounded();
                    break;
                }
            }

            await ReadOneAfterTheRunEndedAsync().Bounded();
            Assert.NotNull(stream.Report);

            // A faulted task nobody awaited reports its exception when it is finalized.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= onUnobserved;
        }

        Assert.DoesNotContain(unobserved.SelectMany(e => e is AggregateException a ? a.InnerExceptions : [e]), e => e is ObjectDisposedException);
    }
}
