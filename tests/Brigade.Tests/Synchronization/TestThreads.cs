using Brigade.Synchronization;

namespace Brigade.Tests.Synchronization;

/// <summary>Dedicated threads and bounded waits for the synchronization tests: state is awaited, never slept on.</summary>
internal static class TestThreads
{
    /// <summary>The bound of every wait in these tests: far above any expected duration, so it only fires on a bug.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>Runs <paramref name="body"/> on a new named background thread; the task ends with it.</summary>
    public static Task Run(string name, Action body)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                body();
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        return done.Task;
    }

    /// <summary>Runs <paramref name="body"/> on a new named background thread and returns its result.</summary>
    public static Task<T> Run<T>(string name, Func<T> body)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.SetResult(body());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        return done.Task;
    }

    /// <summary>Waits until <paramref name="condition"/> holds (it is re-checked as the other threads move), within the bound.</summary>
    public static void Until(Func<bool> condition, string what)
    {
        if (!SpinWait.SpinUntil(condition, Bound))
        {
            throw new TimeoutException($"timed out waiting until {what}");
        }
    }

    /// <summary>Waits until some holder of <paramref name="primitive"/> is registered as blocked in the wait-for graph.</summary>
    public static void UntilHolderBlocked(SynchronizationPrimitive primitive) =>
        Until(primitive.IsHolderBlocked, $"a holder of {primitive} is blocked");

    public static void Wait(this ManualResetEventSlim gate) => Assert.True(gate.Wait(Bound), "gate not opened in time");

    /// <summary>Starts <paramref name="body"/> as a new logical flow: without the current execution context, so it does
    /// not inherit the async locks this flow holds (a task that inherits them belongs to the holding flow).</summary>
    public static Task<T> Detached<T>(Func<Task<T>> body)
    {
        using (ExecutionContext.SuppressFlow())
        {
            return Task.Run(body);
        }
    }

    public static Task Bounded(this Task task) => task.WaitAsync(Bound);

    public static Task<T> Bounded<T>(this Task<T> task) => task.WaitAsync(Bound);
}
