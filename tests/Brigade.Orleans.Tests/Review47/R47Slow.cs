namespace Brigade.Orleans.Tests.Review47;

/// <summary>10 ms per item; <see cref="Started"/> completes once <see cref="Threshold"/> items have run (on any silo: the silos are in this process).</summary>
public sealed class R47Slow : IWork<int, int>
{
    private static int _executions;

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

        return input;
    }
}
