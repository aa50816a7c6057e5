namespace Brigade.Diagnostics;

/// <summary>One watched flow in a <see cref="ProgressReport"/>: how long since its progress, and how busy it was.</summary>
public sealed class WatchedFlow
{
    internal WatchedFlow(string name, string? doing, TimeSpan sinceProgress, double? cpuFraction, bool madeProgress, long marks, double? runQueueFraction = null)
    {
        RunQueueFraction = runQueueFraction;
        Name = name;
        Doing = doing;
        SinceProgress = sinceProgress;
        CpuFraction = cpuFraction;
        MadeProgress = madeProgress;
        Marks = marks;
    }

    /// <summary>Gets the flow's name.</summary>
    public string Name { get; }

    /// <summary>Gets what it said it was doing at its last mark, if anything.</summary>
    public string? Doing { get; }

    /// <summary>Gets how long since its last progress.</summary>
    public TimeSpan SinceProgress { get; }

    /// <summary>Gets the share of one core it used since its last progress; null where per-thread CPU time cannot be measured.</summary>
    public double? CpuFraction { get; }

    /// <summary>Gets the share of the time it was ready to run but waited for a core (Linux run-queue wait); null where unknown.</summary>
    internal double? RunQueueFraction { get; }

    /// <summary>Gets the share of the time it ran or waited for a core: how busy it is, whatever the machine's load;
    /// its CPU share alone where the run-queue wait is unknown.</summary>
    internal double? BusyFraction => CpuFraction is { } cpu ? Math.Min(1, cpu + (RunQueueFraction ?? 0)) : null;

    /// <summary>Gets whether it made progress within the threshold.</summary>
    public bool MadeProgress { get; }

    /// <summary>Gets how many times it marked progress in all.</summary>
    public long Marks { get; }

    /// <summary>Describes the flow, such as <c>'worker-1' busy (97% CPU) for 1.20 s without progress, last doing: retrying</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString()
    {
        var cpu = CpuFraction is { } f ? $"{f * 100:0}% CPU" : "CPU unknown";
        if (RunQueueFraction is { } wait && wait >= 0.05)
        {
            cpu += $" and {wait * 100:0}% waiting for a core";
        }

        var doing = Doing is null ? "" : $", last doing: {Doing}";
        return MadeProgress
            ? $"'{Name}' made progress ({Marks} marks)"
            : $"'{Name}': no progress for {SinceProgress.TotalSeconds:0.00} s, {cpu}{doing}";
    }
}
