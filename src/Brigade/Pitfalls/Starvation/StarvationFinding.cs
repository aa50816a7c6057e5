namespace Brigade.Synchronization;

/// <summary>The data of a starvation report, captured under the queue lock; formatted outside it.</summary>
internal readonly record struct StarvationFinding(WaitNode Node, TimeSpan Waited, long GrantsToOthers, (Holder Holder, long Grants)[] Winners, bool WinnersPartial)
{
    public StarvationReport ToReport(SynchronizationPrimitive primitive)
    {
        var winners = new StarvationWinner[Winners.Length];
        for (var i = 0; i < winners.Length; i++)
        {
            winners[i] = new StarvationWinner(Winners[i].Holder.Describe(), Winners[i].Grants);
        }

        return new StarvationReport(
            primitive.Describe(Node.Mode), Node.Holder.Describe(), Node.Site.ToPublic(), Waited, GrantsToOthers, winners,
            WinnersPartial ? SynchronizationPrimitive.TrackedReleases : 0, primitive.Fairness, primitive.Diagnostics.TimeProvider.GetUtcNow());
    }
}
