using System.Globalization;
using System.Text;

namespace Brigade.Diagnostics;

/// <summary>
/// Thread-pool starvation (<see cref="PitfallCodes.ThreadPoolStarvation"/>): work queued on the .NET thread pool was not
/// picked up for longer than the threshold. The message starts with <c>Thread-pool starvation detected:</c>.
/// </summary>
public sealed class ThreadPoolStarvationReport : PitfallReport
{
    internal ThreadPoolStarvationReport(IReadOnlyList<ThreadPoolSample> samples, int processorCount)
        : this(samples, Analyze(samples, processorCount))
    {
    }

    private ThreadPoolStarvationReport(IReadOnlyList<ThreadPoolSample> samples, Analysis analysis)
        : base(PitfallKind.ThreadPoolStarvation, Format(analysis), samples[^1].Time)
    {
        Samples = samples;
        Duration = analysis.Duration;
        QueueLength = analysis.QueueLength;
        MaxQueueLength = analysis.MaxQueueLength;
        CompletedDuring = analysis.Completed;
        ThreadsAtStart = analysis.ThreadsAtStart;
        ThreadsNow = analysis.ThreadsNow;
        CpuUtilization = analysis.Cpu;
        LikelyBlocking = analysis.Blocking;
    }

    /// <summary>Gets the samples of the episode, from the last healthy one to the one that triggered the report.</summary>
    internal IReadOnlyList<ThreadPoolSample> Samples { get; }

    /// <summary>Gets how long queued work has gone unserved.</summary>
    public TimeSpan Duration { get; }

    /// <summary>Gets the queue length at the last sample.</summary>
    public long QueueLength { get; }

    /// <summary>Gets the longest queue seen in the episode.</summary>
    public long MaxQueueLength { get; }

    /// <summary>Gets how many work items completed during the episode.</summary>
    public long CompletedDuring { get; }

    /// <summary>Gets the number of pool threads when the episode began.</summary>
    public int ThreadsAtStart { get; }

    /// <summary>Gets the number of pool threads at the last sample.</summary>
    public int ThreadsNow { get; }

    /// <summary>Gets the process's CPU use during the episode, as a fraction of all cores (0 to 1); on a loaded machine it is
    /// low even for busy threads, which is why blocking is judged from the pool threads' run-queue time where it can be.</summary>
    public double CpuUtilization { get; }

    /// <summary>
    /// Gets whether the pool's threads look blocked rather than busy: the classic blocking-on-the-pool case. A pool whose
    /// threads compute is saturated, not starved, and is not reported, so a report normally has this set.
    /// </summary>
    public bool LikelyBlocking { get; }

    private static Analysis Analyze(IReadOnlyList<ThreadPoolSample> samples, int processorCount)
    {
        var first = samples[0];
        var last = samples[^1];
        var duration = last.Time - first.Time;
        var cpu = duration > TimeSpan.Zero ? (last.ProcessCpuTime - first.ProcessCpuTime) / (duration * Math.Max(1, processorCount)) : 0;
        cpu = Math.Clamp(cpu, 0, 1);
        double? poolBusy = duration > TimeSpan.Zero && first.PoolBusyTime is { } from && last.PoolBusyTime is { } to ? Math.Max(0, (to - from) / duration) : null;
        return new Analysis(
            duration, last.QueueLength, samples.Max(s => s.QueueLength), last.CompletedWorkItems - first.CompletedWorkItems,
            first.ThreadCount, last.ThreadCount, cpu, ThreadPoolStarvationMonitor.Blocked(first, last, processorCount), processorCount, poolBusy);
    }

    private static string Format(Analysis a)
    {
        var text = new StringBuilder();
        var seconds = a.Duration.TotalSeconds;
        text.Append("Thread-pool starvation detected: for ").Append(seconds.ToString("0.00", CultureInfo.InvariantCulture))
            .Append(" s, work queued on the .NET thread pool was not picked up: ")
            .Append(a.QueueLength).Append(" items queued (up to ").Append(a.MaxQueueLength).Append("), ")
            .Append(a.Completed).Append(" completed in that time (")
            .Append((seconds > 0 ? a.Completed / seconds : 0).ToString("0.0", CultureInfo.InvariantCulture)).Append("/s), ")
            .Append(a.ThreadsAtStart).Append(" → ").Append(a.ThreadsNow).Append(" pool threads, CPU ")
            .Append(a.Cpu.ToString("P0", CultureInfo.InvariantCulture).Replace(" ", "", StringComparison.Ordinal))
            .Append(" of ").Append(a.ProcessorCount).Append(a.ProcessorCount == 1 ? " core" : " cores");
        if (a.PoolBusy is { } busy)
        {
            text.Append(", pool threads running or ready to run: ").Append(busy.ToString("0.0", CultureInfo.InvariantCulture)).Append(" on average");
        }

        text.Append(". ");
        text.Append(a.Blocking
            ? "The pool's threads are blocked, not busy: the classic cause is blocking calls on pool threads — sync-over-async " +
              "(.Result, .Wait(), GetAwaiter().GetResult() on tasks that need the pool to finish), Thread.Sleep, synchronous I/O, " +
              "or waiting on locks. The pool adds threads slowly, so blocked work piles up. Fix: await instead of blocking; run " +
              "blocking work on dedicated threads (Brigade's Engine.Threads); ThreadPool.SetMinThreads only hides the symptom."
            : "The pool's threads are busy: long CPU-bound work items saturate it and more threads would not help. Fix: bound the " +
              "CPU-bound work to the core count (Brigade's Engine.ThreadPool), split long items, and keep latency-sensitive work off the pool.");
        return text.ToString();
    }

    private readonly record struct Analysis(TimeSpan Duration, long QueueLength, long MaxQueueLength, long Completed, int ThreadsAtStart, int ThreadsNow, double Cpu, bool Blocking, int ProcessorCount, double? PoolBusy);
}
