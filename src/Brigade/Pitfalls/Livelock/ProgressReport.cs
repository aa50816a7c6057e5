using System.Text;

namespace Brigade.Diagnostics;

/// <summary>
/// A verdict of a <see cref="ProgressWatchdog"/>: watched flows without progress past the threshold, told apart by the
/// CPU they used — <see cref="PitfallKind.Livelock"/> (busy, <c>Livelock detected:</c>), <see cref="PitfallKind.Hang"/>
/// (blocked, no CPU: <c>Hang detected:</c>) or <see cref="PitfallKind.Starvation"/> (others progressed, these did not:
/// <c>Starvation detected:</c>). Also the polite livelock: threads that keep failing to try-acquire what the other holds.
/// </summary>
public sealed class ProgressReport : PitfallReport
{
    internal ProgressReport(PitfallKind kind, string message, IReadOnlyList<WatchedFlow> flows, DateTimeOffset time)
        : base(kind, message, time)
    {
        Flows = flows;
    }

    /// <summary>Gets the flows involved (for a watchdog verdict, every watched flow, progressing or not).</summary>
    public IReadOnlyList<WatchedFlow> Flows { get; }

    internal static ProgressReport FromVerdict(PitfallKind kind, IReadOnlyList<WatchedFlow> flows, TimeSpan threshold, double busyFraction, DateTimeOffset time)
    {
        var stalled = flows.Where(f => !f.MadeProgress).ToList();
        var progressing = flows.Where(f => f.MadeProgress).ToList();
        var text = new StringBuilder();
        switch (kind)
        {
            case PitfallKind.Livelock:
                text.Append("Livelock detected: ").Append(stalled.Count).Append(stalled.Count == 1 ? " flow has" : " flows have")
                    .Append(" been busy without progress for over ").Append(threshold.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture))
                    .Append(" s: they keep a core busy (running or waiting for one at least ").Append((busyFraction * 100).ToString("0", System.Globalization.CultureInfo.InvariantCulture))
                    .Append("% of the time) but mark no progress, as flows that keep retrying against each other do.");
                break;
            case PitfallKind.Hang:
                text.Append("Hang detected: ").Append(stalled.Count).Append(stalled.Count == 1 ? " flow has" : " flows have")
                    .Append(" made no progress for over ").Append(threshold.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture))
                    .Append(" s, neither running nor waiting for a core: blocked, as in a deadlock outside Brigade's locks or a wait that never completes (not a livelock). ")
                    .Append("A flow that waits for work by design should wait inside ProgressParticipant.Idle().");
                break;
            default:
                text.Append("Starvation detected: ").Append(stalled.Count).Append(stalled.Count == 1 ? " flow has" : " flows have")
                    .Append(" made no progress for over ").Append(threshold.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture))
                    .Append(" s while ").Append(progressing.Count).Append(progressing.Count == 1 ? " other did" : " others did").Append('.');
                break;
        }

        foreach (var f in flows)
        {
            text.Append('\n').Append("  ").Append(f);
        }

        text.Append('\n').Append(kind switch
        {
            PitfallKind.Livelock => "Break the symmetry: back off for a random time before retrying, or take the resources in one global order, or with one blocking acquisition.",
            PitfallKind.Hang => "Find what they wait for (a dump shows the stacks); waits on Brigade's locks would have been reported as a deadlock.",
            _ => "Make the shared resource fair (LockOptions.Fairness = LockFairness.Fair) or give the starved flow its share.",
        });
        return new ProgressReport(kind, text.ToString(), flows, time);
    }
}
