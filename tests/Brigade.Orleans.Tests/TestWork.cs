using System.Text.Json.Serialization;

namespace Brigade.Orleans.Tests;

// Work types the test silos are started with (AddBrigadeWorkers(typeof(TestWork).Assembly)). The in-process test
// cluster shares this process, so the static counters and gates below are seen by the silos' work too.

/// <summary>A range of numbers; a record, to exercise JSON of composite inputs.</summary>
public sealed record Slice(long From, long To);

public sealed class Square : IWork<int, long>
{
    public long Execute(int input) => (long)input * input;
}

public sealed class CountPrimes : IWork<Slice, int>
{
    public int Execute(Slice input)
    {
        var count = 0;
        for (var n = Math.Max(2, input.From); n < input.To; n++)
        {
            var prime = true;
            for (long d = 2; d * d <= n; d++)
            {
                if (n % d == 0)
                {
                    prime = false;
                    break;
                }
            }

            if (prime)
            {
                count++;
            }
        }

        return count;
    }
}

/// <summary>Fails odd items.</summary>
public sealed class FailOdd : IWork<int, int>
{
    public int Execute(int input) => input % 2 == 1 ? throw new InvalidOperationException($"odd item {input}") : input;
}

/// <summary>Takes a few milliseconds per item and counts executions; signals when a given number have started.</summary>
public sealed class Tick : IWork<int, int>
{
    private static int _executions;
    private static TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static int _signalAt = int.MaxValue;

    public static int Executions => Volatile.Read(ref _executions);

    public static int DelayMilliseconds { get; set; } = 5;

    /// <summary>Resets the counter and returns a task that completes when <paramref name="count"/> items have started.</summary>
    public static Task Reset(int count)
    {
        Volatile.Write(ref _executions, 0);
        _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _signalAt, count);
        return _reached.Task;
    }

    public int Execute(int input)
    {
        if (Interlocked.Increment(ref _executions) >= Volatile.Read(ref _signalAt))
        {
            _reached.TrySetResult();
        }

        Thread.Sleep(DelayMilliseconds);
        return input + 1;
    }
}

/// <summary>
/// Holds every item it starts until the test opens the gate: a run that is certainly in progress while the test looks
/// at it, whatever the machine's load. Used by one test at a time, and only by it: items of another run (a cancelled
/// run's batches still finishing on a silo) cannot open or count against the gate.
/// </summary>
public sealed class Held : IAsyncWork<int, int>
{
    private static int _started;
    private static int _signalAt = int.MaxValue;
    private static TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Closes the gate; returns a task that completes when <paramref name="count"/> items are held.</summary>
    public static Task Close(int count)
    {
        Volatile.Write(ref _started, 0);
        _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _signalAt, count);
        return _reached.Task;
    }

    /// <summary>Lets every held item, and every later one, complete.</summary>
    public static void Open() => _open.TrySetResult();

    public async ValueTask<int> ExecuteAsync(int input, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _started) >= Volatile.Read(ref _signalAt))
        {
            _reached.TrySetResult();
        }

        // Bounded, and no thread blocked: a test that fails before it opens the gate leaves nothing stuck on the silos.
        await _open.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        return input + 1;
    }
}

/// <summary>Asynchronous work that honours cancellation.</summary>
public sealed class AsyncDelay : IAsyncWork<int, string>
{
    public async ValueTask<string> ExecuteAsync(int input, CancellationToken cancellationToken)
    {
        await Task.Delay(2, cancellationToken);
        return $"#{input}";
    }
}

[JsonSerializable(typeof(Slice))]
[JsonSerializable(typeof(int))]
public sealed partial class SliceJson : JsonSerializerContext;

/// <summary>Work with a source-generated serializer context.</summary>
[WorkSerializer(typeof(SliceJson))]
public sealed class SliceWidth : IWork<Slice, int>
{
    public int Execute(Slice input) => (int)(input.To - input.From);
}

/// <summary>Trivial work whose batches fail as calls (a grain call filter on the test silos) when they carry item 13.</summary>
public sealed class Poisoned : IWork<int, string>
{
    public const int Poison = 13;

    public string Execute(int input) => input.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>CPU-bound work of a fixed cost: spins for half a millisecond, then returns 2 × input + 1 (so every result names its item).</summary>
public sealed class Spin : IWork<int, int>
{
    public static readonly TimeSpan Cost = TimeSpan.FromMicroseconds(500);

    public int Execute(int input)
    {
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        while (System.Diagnostics.Stopwatch.GetElapsedTime(start) < Cost)
        {
        }

        return (2 * input) + 1;
    }
}
