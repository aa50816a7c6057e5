using System.Text;
using Brigade.Diagnostics;

namespace Brigade.Synchronization;

/// <summary>
/// A real deadlock (<see cref="PitfallCodes.Deadlock"/>): the cycle of waiters the refused wait would have closed.
/// The message starts with <c>Deadlock detected:</c>.
/// </summary>
public sealed class DeadlockReport : PitfallReport
{
    internal DeadlockReport(IReadOnlyList<DeadlockEdge> cycle, string advice, DateTimeOffset time)
        : base(PitfallKind.Deadlock, Format(cycle, advice), time)
    {
        Cycle = cycle;
    }

    /// <summary>Gets the cycle, starting with the refused waiter; each edge's owner is the next edge's waiter.</summary>
    public IReadOnlyList<DeadlockEdge> Cycle { get; }

    /// <summary>Gets the refused waiter, which received <see cref="DeadlockException"/>.</summary>
    public string Victim => Cycle[0].Waiter;

    private static string Format(IReadOnlyList<DeadlockEdge> cycle, string advice)
    {
        var text = new StringBuilder();
        text.Append("Deadlock detected: ");
        text.Append(cycle.Count == 1
            ? $"{cycle[0].Waiter} waits for what it holds itself; the wait was refused with DeadlockException instead of hanging forever."
            : $"{cycle.Count} waiters form a cycle; the wait of {cycle[0].Waiter} would have closed it and was refused with DeadlockException instead of hanging forever.");
        for (var i = 0; i < cycle.Count; i++)
        {
            text.Append('\n').Append("  ").Append(i + 1).Append(". ").Append(cycle[i]);
        }

        text.Append('\n').Append(advice);
        foreach (var edge in cycle)
        {
            Text.AppendStack(text, $"{edge.Owner} took {edge.Resource}", edge.OwnerAcquiredAt);
        }

        return text.ToString();
    }
}
