using Brigade.Doctor.Analysis;

namespace Brigade.Doctor.Tests;

public sealed class WaitGraphTests
{
    [Fact]
    public void TwoCycles_AndWaitersBehindThem_AreFoundWithEveryMember()
    {
        var edges = new Dictionary<int, List<int>>
        {
            [1] = [2], [2] = [3], [3] = [1],     // a ring of three
            [4] = [5], [5] = [4],                // ABBA
            [6] = [1],                           // stuck behind the ring
            [7] = [6],                           // stuck behind the one stuck behind it
            [8] = [9],                           // waits for a running thread: no cycle
        };

        var cycles = WaitGraph.FindCycles(edges);

        Assert.Equal(2, cycles.Count);
        Assert.Equal([1, 2, 3], cycles[0].Cycle);
        Assert.Equal([6, 7], cycles[0].AlsoStuck);
        Assert.Equal([4, 5], cycles[1].Cycle);
        Assert.Empty(cycles[1].AlsoStuck);
    }

    [Fact]
    public void AWriterWaitingForTwoReaders_OneOfWhichWaitsForIt_IsACycleThroughThatReader()
    {
        // A writer needs every reader: an edge to each; one reader waits for the writer's other lock.
        var edges = new Dictionary<int, List<int>> { [10] = [11, 12], [12] = [10] };

        var cycles = WaitGraph.FindCycles(edges);

        Assert.Single(cycles);
        Assert.Equal([10, 12], cycles[0].Cycle);
    }

    [Fact]
    public void AChainWithoutACycle_IsNoDeadlock()
    {
        var edges = new Dictionary<int, List<int>> { [1] = [2], [2] = [3], [3] = [4] };

        Assert.Empty(WaitGraph.FindCycles(edges));
    }

    [Fact]
    public void AComponentWithTwoCycles_ReportsTheShortestThroughItsLowestThread()
    {
        var edges = new Dictionary<int, List<int>> { [1] = [2, 3], [2] = [1], [3] = [4], [4] = [1] };

        var cycle = Assert.Single(WaitGraph.FindCycles(edges));

        Assert.Equal([1, 2], cycle.Cycle);
        Assert.Equal([3, 4], cycle.AlsoStuck);
    }

    [Fact]
    public void AThreadWaitingForItself_IsACycleOfOne_WithThoseBehindIt()
    {
        // A UI thread blocked on a task whose continuation is queued on its own SynchronizationContext; main joins it.
        var edges = new Dictionary<int, List<int>> { [4] = [4], [1] = [4], [7] = [8] };

        var cycle = Assert.Single(WaitGraph.FindCycles(edges));

        Assert.Equal([4], cycle.Cycle);
        Assert.Equal([1], cycle.AlsoStuck);
    }
}
