namespace Brigade.Synchronization;

// Lock order (see the class remarks): WaitForGraph.Gate, then a primitive's _queueLock; nothing else is taken under a
// queue lock, and no continuation, handler or observer runs under it (Signals carries them out after release).

/// <content>Starvation: who keeps winning the primitive while others wait, and which waiters waited too long.</content>
public abstract partial class SynchronizationPrimitive
{
    private void Tally(Holder releaser)
    {
        var key = releaser.TallyKey;
        var winners = _winners ??= new Winner[MaxTrackedWinners];
        var least = 0;
        for (var i = 0; i < _winnerCount; i++)
        {
            if (Equals(winners[i].Key, key))
            {
                winners[i].Count++;
                return;
            }

            if (winners[i].Count < winners[least].Count)
            {
                least = i;
            }
        }

        winners[_winnerCount < winners.Length ? _winnerCount++ : least] = new Winner(key, releaser, 1);
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
            signals.AddStarved(new StarvationFinding(node, waited, others, TopWinners()));
        }
    }

    private (Holder Holder, long Grants)[] TopWinners() =>
        _winners is null
            ? []
            : _winners.AsSpan(0, _winnerCount).ToArray().OrderByDescending(w => w.Count).Take(MaxWinners).Select(w => (w.Holder, w.Count)).ToArray();

    private record struct Winner(object Key, Holder Holder, long Count);
}
