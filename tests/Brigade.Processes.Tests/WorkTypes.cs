using System.Diagnostics;
using System.Text.Json.Serialization;

namespace Brigade.Processes.Tests;

public sealed class Square : IWork<int, long>
{
    public long Execute(int input) => (long)input * input;
}

public sealed class Negate : IWork<double, double>
{
    public double Execute(double input) => -input;
}

public sealed class CharCode : IWork<char, int>
{
    public int Execute(char input) => input;
}

public sealed class WhichProcess : IWork<int, int>
{
    public int Execute(int input) => Environment.ProcessId;
}

public sealed class Order
{
    public int Id { get; set; }

    public string? Customer { get; set; }

    public List<decimal> Lines { get; set; } = [];

    public DateTime Placed { get; set; }

    public double Weight { get; set; }

    public Dictionary<string, int>? Tags { get; set; }
}

public sealed record Invoice(int Id, string Text, decimal Total, double Weight, int LineCount, IReadOnlyList<string> TagNames);

/// <summary>A work type with rich inputs and results: classes, records, collections, NaN, unicode, nulls.</summary>
public sealed class MakeInvoice : IWork<Order, Invoice>
{
    public Invoice Execute(Order input) => new(
        input.Id,
        $"{input.Customer ?? "(none)"} ✓ {input.Placed:yyyy-MM-dd}",
        input.Lines.Sum(),
        input.Weight * 2,
        input.Lines.Count,
        input.Tags?.Keys.Order(StringComparer.Ordinal).ToList() ?? []);

    public static Order[] Orders(int count) => [.. Enumerable.Range(0, count).Select(i => new Order
    {
        Id = i,
        Customer = i % 7 == 0 ? null : $"customer {i} — ünïcødé",
        Lines = [.. Enumerable.Range(0, i % 5).Select(l => (decimal)(l + 1) * 1.1m)],
        Placed = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddDays(i),
        Weight = i % 11 == 0 ? double.NaN : i * 0.5,
        Tags = i % 3 == 0 ? null : new Dictionary<string, int> { ["b" + i] = i, ["a"] = 1 },
    })];
}

public sealed class SlowSquare : IAsyncWork<int, long>
{
    public async ValueTask<long> ExecuteAsync(int input, CancellationToken cancellationToken)
    {
        await Task.Yield();
        return (long)input * input;
    }
}

[JsonSerializable(typeof(Point))]
[JsonSerializable(typeof(double))]
internal sealed partial class PointJson : JsonSerializerContext;

public readonly record struct Point(double X, double Y);

[WorkSerializer(typeof(PointJson))]
public sealed class Norm : IWork<Point, double>
{
    public double Execute(Point input) => Math.Sqrt((input.X * input.X) + (input.Y * input.Y));
}

/// <summary>Items divisible by 10 throw, with an inner exception.</summary>
public sealed class ThrowOnTens : IWork<int, int>
{
    public int Execute(int input) => input % 10 == 0
        ? throw new InvalidOperationException($"item {input} refuses", new FormatException("inner cause"))
        : input;
}

public sealed record CrashInput(int Value, string How, int Culprit, string? Directory = null);

/// <summary>The culprit item takes its worker down in the way asked; the others return their value.</summary>
public sealed class Crasher : IWork<CrashInput, int>
{
    /// <summary>How long the grandchild of "spawn-then-failfast" sleeps: an odd value, so the test can find and stop it.</summary>
    public const string ChildSleep = "89.75";

    public int Execute(CrashInput input)
    {
        if (input.Value != input.Culprit)
        {
            return input.Value * 3;
        }

        switch (input.How)
        {
            case "failfast":
                Environment.FailFast($"item {input.Value} pulls the plug");
                break;
            case "thread":
                var thread = new Thread(() => throw new InvalidOperationException($"unhandled on a background thread, item {input.Value}"));
                thread.Start();
                Thread.Sleep(TimeSpan.FromSeconds(30));
                break;
            case "spawn-then-failfast":
                // A grandchild inherits whatever the worker leaves inheritable; it must not hide the worker's death.
                using (Process.Start(new ProcessStartInfo("sleep", ChildSleep) { UseShellExecute = false }))
                {
                }

                Environment.FailFast($"item {input.Value} leaves a child behind");
                break;
            case "exit":
                Environment.Exit(0);
                break;
            case "kill-always":
            case "kill-once":
                // Ask the test to kill this process from outside, and wait for it. After one kill, "kill-once" goes through.
                if (input.How == "kill-once" && File.Exists(Path.Combine(input.Directory!, "killed")))
                {
                    return input.Value * 3;
                }

                File.WriteAllText(Path.Combine(input.Directory!, $"{Environment.ProcessId}.pid"), "");
                Thread.Sleep(TimeSpan.FromSeconds(30));
                break;
            case "hang":
                Thread.Sleep(TimeSpan.FromSeconds(60));
                break;
            default:
                break;
        }

        return input.Value * 3;
    }
}

/// <summary>Each item sleeps the given number of milliseconds.</summary>
public sealed class Sleep : IWork<int, int>
{
    public int Execute(int input)
    {
        Thread.Sleep(input);
        return input;
    }
}

/// <summary>A negative item fails at once; any other sleeps that many milliseconds, deaf to cancellation.</summary>
public sealed class SleepOrThrow : IWork<int, int>
{
    public int Execute(int input)
    {
        if (input < 0)
        {
            throw new InvalidOperationException($"item {input} refuses");
        }

        Thread.Sleep(input);
        return input;
    }
}

/// <summary>Holds on to memory across items, like a leak.</summary>
public sealed class Leak : IWork<int, int>
{
    private static readonly List<byte[]> Held = [];

    public int Execute(int input)
    {
        var block = new byte[8 * 1024 * 1024];
        Array.Fill(block, (byte)1);
        Held.Add(block);
        return Environment.ProcessId;
    }
}

/// <summary>A constructor that fails only inside a worker (the test sets BRIGADE_TEST_IN_WORKER there).</summary>
public sealed class FailsInWorker : IWork<int, int>
{
    public FailsInWorker()
    {
        if (Environment.GetEnvironmentVariable("BRIGADE_TEST_IN_WORKER") == "1")
        {
            throw new InvalidOperationException("this work cannot be created here");
        }
    }

    public int Execute(int input) => input;
}

public sealed class Unserializable
{
    public Func<int>? Callback { get; set; }
}

public sealed class TakesCallbacks : IWork<Unserializable, int>
{
    public int Execute(Unserializable input) => 0;
}

public sealed class NoConstructorResult(int value)
{
    private readonly int _value = value;

    public int Get() => _value;
}

public sealed class ReturnsOpaque : IWork<int, NoConstructorResult>
{
    public NoConstructorResult Execute(int input) => new(input);
}

public sealed class ReturnsObject : IWork<int, object>
{
    public object Execute(int input) => input;
}

public sealed class NeedsArgument(int factor) : IWork<int, int>
{
    public int Execute(int input) => input * factor;
}

public sealed class GenericWork<T> : IWork<T, T>
{
    public T Execute(T input) => input;
}

public sealed class CountCalls : IWork<int, int>
{
    private static int s_calls;

    public static int Calls => Volatile.Read(ref s_calls);

    public int Execute(int input)
    {
        Interlocked.Increment(ref s_calls);
        return input;
    }
}

internal static class Stopwatches
{
    public static TimeSpan Time(Action action)
    {
        var start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start);
    }
}

/// <summary>Kills its worker 1 s after the run releases it: the worker goes back to the pool alive and dies there.</summary>
public sealed class DiesAfterRelease : IWork<int, int>, IDisposable
{
    public int Execute(int input) => input;

    public void Dispose()
    {
        if (InWorker.Now)
        {
            new Thread(() =>
            {
                Thread.Sleep(1000);
                Process.GetCurrentProcess().Kill();
            })
            { IsBackground = true }.Start();
        }
    }
}

/// <summary>Takes 2.5 s to create in a worker: long enough for a worker that dies meanwhile to die while loading it.</summary>
public sealed class SlowToCreate : IWork<int, int>
{
    public SlowToCreate()
    {
        if (InWorker.Now)
        {
            Thread.Sleep(2500);
        }
    }

    public int Execute(int input) => input;
}

internal static class InWorker
{
    public static bool Now => System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name == "Brigade.Processes.Worker";
}
