using System.Globalization;
using System.Text;
using Brigade.Diagnostics;

namespace Brigade.Synchronization;

/// <summary>
/// A starved waiter (<see cref="PitfallCodes.Starvation"/>): it waited past the threshold while the primitive was
/// granted to others. The message starts with <c>Starvation detected:</c>.
/// </summary>
public sealed class StarvationReport : PitfallReport
{
    internal StarvationReport(string resource, string starved, AcquisitionSite? waitingAt, TimeSpan waited, long grantsToOthers, IReadOnlyList<StarvationWinner> winners, int latestReleases, LockFairness fairness, DateTimeOffset time)
        : base(PitfallKind.Starvation, Format(resource, starved, waitingAt, waited, grantsToOthers, winners, latestReleases, fairness), time)
    {
        Resource = resource;
        Starved = starved;
        WaitingAt = waitingAt;
        Waited = waited;
        GrantsToOthers = grantsToOthers;
        Winners = winners;
        Fairness = fairness;
    }

    /// <summary>Gets the primitive, such as <c>lock 'queue'</c>.</summary>
    public string Resource { get; }

    /// <summary>Gets the starved thread or async flow.</summary>
    public string Starved { get; }

    /// <summary>Gets where it asked for the primitive.</summary>
    public AcquisitionSite? WaitingAt { get; }

    /// <summary>Gets how long it had waited when reported.</summary>
    public TimeSpan Waited { get; }

    /// <summary>Gets how many times the primitive was granted to others while it waited.</summary>
    public long GrantsToOthers { get; }

    /// <summary>Gets who kept getting it during this wait, most grants first (never the starved waiter itself); counted over
    /// the primitive's latest releases when the wait saw more than Brigade keeps track of.</summary>
    public IReadOnlyList<StarvationWinner> Winners { get; }

    /// <summary>Gets the primitive's fairness; <see cref="LockFairness.Fair"/> is the fix for an unfair one.</summary>
    public LockFairness Fairness { get; }

    private static string Format(string resource, string starved, AcquisitionSite? waitingAt, TimeSpan waited, long grants, IReadOnlyList<StarvationWinner> winners, int latestReleases, LockFairness fairness)
    {
        var text = new StringBuilder();
        text.Append("Starvation detected: ").Append(starved).Append(" has waited ")
            .Append(waited.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture)).Append(" s for ").Append(resource).Append(Text.At(waitingAt))
            .Append(" while it was granted ").Append(grants).Append(grants == 1 ? " time" : " times").Append(" to others");
        if (winners.Count > 0)
        {
            text.Append("; kept winning");
            if (latestReleases > 0)
            {
                text.Append(" (in the latest ").Append(latestReleases).Append(" releases)");
            }

            text.Append(": ").AppendJoin(", ", winners);
        }

        text.Append(". ");
        text.Append(fairness == LockFairness.Unfair
            ? "The primitive is unfair: a released primitive goes to whoever takes it first, so a thread that releases and re-takes it in a loop keeps winning. " +
              "Make it fair (LockOptions.Fairness = LockFairness.Fair: FIFO hand-off) so waiters are served in order, or hold it for less time."
            : "The primitive is already fair (FIFO hand-off): it is oversubscribed; hold it for less time or split it.");
        return text.ToString();
    }
}
