namespace Brigade.Orleans.Tests.Review68Cluster;

/// <summary>An item that sleeps 5 ms and returns a string of 256 KB: its batches cost serialization and transport beyond
/// the items' own time on the silo (the response's bytes, and the engine's reading of them).</summary>
public sealed class R68Bulky : IWork<int, string>
{
    public string Execute(int input)
    {
        Thread.Sleep(5);
        return new string((char)('a' + (input % 26)), 256 * 1024);
    }
}

/// <summary>10 ms per item; <see cref="Started"/> completes once <see cref="Threshold"/> items have run; while
/// <see cref="Holding"/> is set, items wait for <see cref="Release"/> (at most 20 s) before they end.</summary>
public sealed class R68Slow : IWork<int, int>
{
    private static int _executions;

    private static ManualResetEventSlim _gate = new(true);

    public static bool Holding { get; private set; }

    /// <summary>Holds every item from now on until <see cref="Release"/>.</summary>
    public static void Hold()
    {
        _gate = new ManualResetEventSlim(false);
        Holding = true;
    }

    public static void Release()
    {
        Holding = false;
        _gate.Set();
    }

    public static int Threshold { get; private set; }

    public static TaskCompletionSource Started { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static Task Reset(int threshold)
    {
        Threshold = threshold;
        Volatile.Write(ref _executions, 0);
        Started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return Started.Task;
    }

    public int Execute(int input)
    {
        Thread.Sleep(10);
        if (Interlocked.Increment(ref _executions) == Threshold)
        {
            Started.TrySetResult();
        }

        if (Holding)
        {
            _gate.Wait(TimeSpan.FromSeconds(20));
        }

        return input;
    }
}
