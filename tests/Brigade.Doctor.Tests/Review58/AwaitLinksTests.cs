using Brigade.Doctor.Analysis;

namespace Brigade.Doctor.Tests.Review58;

/// <summary>Review 58: a cycle of awaits (review 57) reached a library user as a <see cref="DeadlockCycle"/> whose
/// <see cref="DeadlockCycle.Links"/> and <see cref="DeadlockCycle.AsyncLinks"/> were empty: only the text and the JSON's
/// <c>awaits</c> said what it was. <see cref="DeadlockCycle.AwaitLinks"/> carries its steps.</summary>
public sealed class AwaitLinksTests
{
    [Fact]
    public void ACycleOfAwaits_ShowsItsStepsToALibraryUser()
    {
        var steps = new List<AwaitCycles.Step>
        {
            OwnChannelCycleTests.Step(0xA0, "async method Shop.PlaceOrderAsync (suspended at await #1: Priced.Task, Program.cs:181)", AwaitCycles.Node.Method),
            OwnChannelCycleTests.Step(0xC0, "the task of a TaskCompletionSource", AwaitCycles.Node.Source, AwaitCycles.Link.Completes, "Priced.SetResult(...) (Program.cs:188)"),
            OwnChannelCycleTests.Step(0xA1, "async method Shop.PriceAsync (suspended at await #0: Orders.WaitAsync(), Program.cs:187)", AwaitCycles.Node.Method),
            OwnChannelCycleTests.Step(0xD0, "SemaphoreSlim.WaitAsync on SemaphoreSlim (static field Shop.Orders)", AwaitCycles.Node.SemaphoreWait, AwaitCycles.Link.Holds, "await Orders.WaitAsync() (Program.cs:180)"),
        };

        var cycle = new DeadlockCycle([], []) { IsPossible = true, AwaitCycle = new AwaitCycles.Cycle(steps, []) };

        // Failed before: no such property (a library user saw Links and AsyncLinks empty, and nothing else).
        Assert.Empty(cycle.Links);
        Assert.Empty(cycle.AsyncLinks);
        Assert.Equal([0xA0UL, 0xC0, 0xA1, 0xD0], cycle.AwaitLinks.Select(l => l.Step.Address));
        Assert.Equal([AwaitLinkKind.Awaits, AwaitLinkKind.Completes, AwaitLinkKind.Awaits, AwaitLinkKind.HoldsSemaphoreSlot], cycle.AwaitLinks.Select(l => l.WaitsForNext));
        Assert.Equal("Priced.SetResult(...) (Program.cs:188)", cycle.AwaitLinks[1].Evidence);
        Assert.Null(cycle.AwaitLinks[0].Evidence);
        Assert.StartsWith("async method Shop.PlaceOrderAsync", cycle.AwaitLinks[0].Step.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void ACycleOfThreads_HasNoAwaitLinks()
    {
        var cycle = new DeadlockCycle([], []);

        Assert.Empty(cycle.AwaitLinks);
    }
}
