namespace Brigade.Synchronization;

// Lock order (see the class remarks): WaitForGraph.Gate, then a primitive's _queueLock; nothing else is taken under a
// queue lock, and no continuation, handler or observer runs under it (Signals carries them out after release).

/// <content>Starvation: who keeps winning the primitive while others wait, and which waiters waited too long.</content>
public abstract partial class SynchronizationPrimitive
{
    private void Tally(Holder releaser)
    {
        // A ring of the latest releases, each with the grant count at its time: a wait's winners are the releases of
        // grants made after it began (not the primitive's whole history), and the waiter itself is never among them.
        var releases = _releases ??= new ReleaseRecord[TrackedReleases];
        releases[(int)(_releaseCount++ % TrackedReleases)] = new ReleaseRecord(releaser.TallyKey, releaser, _grants);
    }

    private void CheckStarvationLocked(ref Signals signals, long now)
    {
        var threshold = Diagnostics.StarvationThreshold;
        var checkedNodes = 0;
        for (var node = _head; node is not null && checkedNodes < MaxStarvationChecks; node = node.Next, checkedNodes++)
        {
            if (node.StarvationReported)
            {
                continue;
            }

            var waited = Time.GetElapsedTime(node.StartTimestamp, now);
            var others = _grants - node.GrantsAtStart;

            // Grants to the waiters that were queued ahead of it are a queue, not starvation: only overtaking counts.
            if (waited < threshold || others - node.AheadAtStart <= 0)
            {
                continue;
            }

            node.StarvationReported = true;
            var (winners, partial) = WinnersDuring(node);
            signals.AddStarved(new StarvationFinding(node, waited, others, winners, partial));
        }
    }

    /// <summary>Who was granted the primitive and released it while <paramref name="node"/> waited, most often first; and
    /// whether older releases of this wait fell out of the ring (the tally then covers only the latest ones).</summary>
    private ((Holder Holder, long Grants)[] Winners, bool Partial) WinnersDuring(WaitNode node)
    {
        if (_releases is null)
        {
            return ([], false);
        }

        var kept = (int)Math.Min(_releaseCount, TrackedReleases);
        var self = node.Holder.TallyKey;
        var tally = new List<(object Key, Holder Holder, long Grants)>();
        var partial = kept == TrackedReleases;
        for (var i = 0; i < kept; i++)
        {
            var release = _releases[(int)((_releaseCount - 1 - i) % TrackedReleases)];
            if (release.GrantsAtRelease <= node.GrantsAtStart)
            {
                partial = false;   // the ring reaches back to before this wait
                continue;
            }

            if (Equals(release.Key, self))
            {
                continue;
            }

            var at = tally.FindIndex(t => Equals(t.Key, release.Key));
            if (at < 0)
            {
                tally.Add((release.Key, release.Holder, 1));
            }
            else
            {
                tally[at] = (tally[at].Key, tally[at].Holder, tally[at].Grants + 1);
            }
        }

        return ([.. tally.OrderByDescending(t => t.Grants).Take(MaxWinners).Select(t => (t.Holder, t.Grants))], partial);
    }

    private record struct ReleaseRecord(object Key, Holder Holder, long GrantsAtRelease);
}
