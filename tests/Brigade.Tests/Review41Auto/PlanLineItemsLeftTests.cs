using Brigade.Auto;

namespace Brigade.Tests.Review41Auto;

/// <summary>
/// The plan line's note of what held the width below Little's law names the items left: "1 item left" for one, not
/// "1 items left" (review 41, autonew). Synthetic measurements: no clock, no threads.
/// </summary>
public sealed class PlanLineItemsLeftTests
{
    private static TimeSpan Us(double us) => TimeSpan.FromTicks((long)(us * 10));

    private static PlanContext Context(long items, long done) => new() { Cores = 2, Options = new AutoEngineOptions(), ItemCount = items, ItemsDone = done };

    [Fact]
    public void OneItemLeft_IsSingular()
    {
        // Asynchronous items, 1 ms in flight for 20 µs of CPU: Little's law wants 200 in flight, one item is left.
        var decision = AutoPlanner.Decide(WorkSample.InFlightPerItem(1, Us(1_000), Us(20)), Context(100, 99))!;

        Assert.Equal(WorkloadClass.AsyncIo, decision.Class);
        Assert.Contains(", 1 item left", decision.Explanation, StringComparison.Ordinal);
        Assert.DoesNotContain("1 items left", decision.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void SeveralItemsLeft_ArePlural()
    {
        var decision = AutoPlanner.Decide(WorkSample.InFlightPerItem(3, Us(1_000), Us(20)), Context(100, 97))!;

        Assert.Contains(", 3 items left", decision.Explanation, StringComparison.Ordinal);
    }
}
