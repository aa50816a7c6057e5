using Brigade.Doctor.Analysis;

namespace Brigade.Doctor.Tests.Review57Async;

/// <summary>Review 57: async methods that await each other's tasks in a cycle (two <c>Lazy&lt;Task&lt;T&gt;&gt;</c> whose
/// factories await each other, a flush awaiting <c>Task.WhenAll</c> of a registry holding its own task) read "No pitfall
/// found": no thread waits, and no flow is outermost. The heap side was checked on hung programs (/tmp/doctor57-progs, one
/// mode each: the report's table); the graph rule and the wording are what is tested here, in process. Addresses stand for
/// the heap's objects: 0xA0.. async methods, 0xB0.. Task.Run's unwrapped tasks or a WhenAll, 0xC0.. a completion source's
/// task, 0xD0.. a semaphore's queued WaitAsync.</summary>
public sealed class AwaitCycleTests
{
    private static readonly Dictionary<(ulong, ulong), AwaitCycles.Link> NoInference = [];

    [Fact]
    public void TwoLazyFactoriesAwaitingEachOther_AreACertainCycle()
    {
        // A awaits B's Task.Run task, which completes when B does; B awaits A's, which completes when A does; the first
        // flow (0xA2) awaits A's task and is stuck behind them.
        var certain = new Dictionary<ulong, List<ulong>>
        {
            [0xA0] = [0xB1], [0xB1] = [0xA1], [0xA1] = [0xB0], [0xB0] = [0xA0], [0xA2] = [0xB0],
        };

        var (cycle, behind, links) = Assert.Single(AwaitCycles.Search(certain, NoInference));

        Assert.Equal([0xA0UL, 0xB1, 0xA1, 0xB0], cycle);
        Assert.All(links, l => Assert.Equal(AwaitCycles.Link.Awaits, l));
        Assert.Equal([0xA2UL], behind);
    }

    [Fact]
    public void AFlushAwaitingWhenAllOfItsOwnTask_IsACertainCycle()
    {
        // The flush lambda awaits FlushAsync, which awaits WhenAll (0xB0) of the registry: a delay (not in the graph) and
        // the lambda's own Task.Run task (0xB1).
        var certain = new Dictionary<ulong, List<ulong>> { [0xA0] = [0xA1], [0xA1] = [0xB0], [0xB0] = [0xB1, 0xE0], [0xB1] = [0xA0] };

        var (cycle, _, links) = Assert.Single(AwaitCycles.Search(certain, NoInference));

        Assert.Equal(4, cycle.Count);
        Assert.DoesNotContain(links, l => l != AwaitCycles.Link.Awaits);
    }

    [Fact]
    public void AMethodThatMerelyRefersToATask_IsNoCycle()
    {
        // A awaits a completion source's task (0xC0) that B keeps in a field and B awaits A: no completer of 0xC0 is
        // seen (no edge from it), so nothing closes the cycle.
        var certain = new Dictionary<ulong, List<ulong>> { [0xA0] = [0xC0], [0xA1] = [0xA0] };

        Assert.Empty(AwaitCycles.Search(certain, NoInference));
    }

    [Fact]
    public void ASourceWhoseOnlyCompleterWaitsOnTheSlotTheAwaiterHolds_IsAPossibleCycle()
    {
        // PlaceOrderAsync (0xA0) holds Orders and awaits Priced's task (0xC0); PriceAsync (0xA1), which sets Priced after
        // its await, waits on Orders (0xD0).
        var certain = new Dictionary<ulong, List<ulong>> { [0xA0] = [0xC0], [0xA1] = [0xD0] };
        var inferred = new Dictionary<(ulong, ulong), AwaitCycles.Link>
        {
            [(0xC0, 0xA1)] = AwaitCycles.Link.Completes,
            [(0xD0, 0xA0)] = AwaitCycles.Link.Holds,
        };

        var (cycle, _, links) = Assert.Single(AwaitCycles.Search(certain, inferred));

        Assert.Equal([0xA0UL, 0xC0, 0xA1, 0xD0], cycle);
        Assert.Equal([AwaitCycles.Link.Awaits, AwaitCycles.Link.Completes, AwaitCycles.Link.Awaits, AwaitCycles.Link.Holds], links);
    }

    [Fact]
    public void ACycleOfSemaphoreSlotsAlone_IsLeftToTheFlowsRule()
    {
        // The async ABBA of review 56: AsyncFindings reports it, with its checks on every holder.
        var certain = new Dictionary<ulong, List<ulong>> { [0xA0] = [0xD0], [0xA1] = [0xD1] };
        var inferred = new Dictionary<(ulong, ulong), AwaitCycles.Link>
        {
            [(0xD0, 0xA1)] = AwaitCycles.Link.Holds,
            [(0xD1, 0xA0)] = AwaitCycles.Link.Holds,
        };

        Assert.Empty(AwaitCycles.Search(certain, inferred));
    }

    [Fact]
    public void TwoHandWrittenLocksInOppositeOrders_AreAPossibleCycle()
    {
        // PlaceOrderAsync (0xA0) holds Orders and waits in Stock's queue (0xC0); RestockAsync (0xA1) holds Stock and waits
        // in Orders' queue (0xC1). Failed before: no such link (only SemaphoreSlim was understood as an async lock).
        var certain = new Dictionary<ulong, List<ulong>> { [0xA0] = [0xC0], [0xA1] = [0xC1] };
        var inferred = new Dictionary<(ulong, ulong), AwaitCycles.Link>
        {
            [(0xC0, 0xA1)] = AwaitCycles.Link.HoldsLock,
            [(0xC1, 0xA0)] = AwaitCycles.Link.HoldsLock,
        };

        var (cycle, _, links) = Assert.Single(AwaitCycles.Search(certain, inferred));

        Assert.Equal([0xA0UL, 0xC0, 0xA1, 0xC1], cycle);
        Assert.Equal([AwaitCycles.Link.Awaits, AwaitCycles.Link.HoldsLock, AwaitCycles.Link.Awaits, AwaitCycles.Link.HoldsLock], links);
    }

    [Fact]
    public void AHandWrittenLockHeldAcrossATimer_IsNoCycle()
    {
        // The holder (0xA1) awaits a Task.Delay (no node: it ends by itself); the waiter (0xA0) waits in its queue.
        var certain = new Dictionary<ulong, List<ulong>> { [0xA0] = [0xC0], [0xA1] = [0xE0] };
        var inferred = new Dictionary<(ulong, ulong), AwaitCycles.Link> { [(0xC0, 0xA1)] = AwaitCycles.Link.HoldsLock };

        Assert.Empty(AwaitCycles.Search(certain, inferred));
    }

    [Fact]
    public void ACertainCycle_IsNotReportedAgainAsAPossibleOne()
    {
        var certain = new Dictionary<ulong, List<ulong>> { [0xA0] = [0xA1], [0xA1] = [0xA0], [0xA2] = [0xC0] };
        var inferred = new Dictionary<(ulong, ulong), AwaitCycles.Link> { [(0xC0, 0xA0)] = AwaitCycles.Link.Completes };

        var (_, _, links) = Assert.Single(AwaitCycles.Search(certain, inferred));

        Assert.All(links, l => Assert.Equal(AwaitCycles.Link.Awaits, l));
    }

    [Fact]
    public void ACertainCycle_ReadsAsCertainAndNamesEveryStep()
    {
        var steps = new List<AwaitCycles.Step>
        {
            Step(0xA0, "async method Shop.AsyncLazyCycle.ComputePriceAsync (suspended at await #1: Discount.Value, Program.cs:285)", AwaitCycles.Node.Method),
            Step(0xB1, "Task.Run of an async delegate (its unwrapped task)", AwaitCycles.Node.Join),
            Step(0xA1, "async method Shop.AsyncLazyCycle.ComputeDiscountAsync (suspended at await #1: Price.Value, Program.cs:291)", AwaitCycles.Node.Method),
            Step(0xB0, "Task.Run of an async delegate (its unwrapped task)", AwaitCycles.Node.Join),
        };
        var cycle = new DeadlockCycle([], []) { AwaitCycle = new AwaitCycles.Cycle(steps, ["Shop.AsyncLazyCycle.<Run>b__2_0"]) };

        var report = Assert.Single(ReportBuilder.Build(DateTimeOffset.UnixEpoch, [cycle], null, [], [], []));

        // Failed before: no such finding (the program read "No pitfall found").
        Assert.Equal("BRG1001", report.Code);
        Assert.StartsWith("Deadlock detected: 2 async methods await, in a cycle, tasks that can complete only after the next one returns (no thread blocked); every link below is in the heap", report.Message, StringComparison.Ordinal);
        Assert.Contains("  → awaits: Task.Run of an async delegate (its unwrapped task)\n  → which completes only when this does: async method Shop.AsyncLazyCycle.ComputeDiscountAsync", report.Message, StringComparison.Ordinal);
        Assert.Contains("ComputePriceAsync (suspended at await #1: Discount.Value, Program.cs:285), the first step: the cycle closes", report.Message, StringComparison.Ordinal);
        Assert.Contains("Async methods stuck behind them: Shop.AsyncLazyCycle.<Run>b__2_0.", report.Message, StringComparison.Ordinal);
        Assert.Contains("Lazy<Task<T>> (AsyncLazy) values whose factories need each other", report.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("possible", report.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void APossibleCycle_SaysWhatItDependsOnInItsFirstLine()
    {
        var steps = new List<AwaitCycles.Step>
        {
            Step(0xA0, "async method Shop.AsyncAbbaTask.PlaceOrderAsync (suspended at await #1: AsyncAbbaTask.Priced.Task, Program.cs:181)", AwaitCycles.Node.Method),
            Step(0xC0, "the task of a TaskCompletionSource that nothing has completed yet: System.Threading.Tasks.TaskCompletionSource<System.Int32> (static field Shop.AsyncAbbaTask.Priced)",
                AwaitCycles.Node.Source, AwaitCycles.Link.Completes, "AsyncAbbaTask.Priced.SetResult(...) (Program.cs:188)"),
            Step(0xA1, "async method Shop.AsyncAbbaTask.PriceAsync (suspended at await #0: AsyncAbbaTask.Orders.WaitAsync(), Program.cs:187)", AwaitCycles.Node.Method),
            Step(0xD0, "SemaphoreSlim.WaitAsync on SemaphoreSlim (static field Shop.AsyncAbbaTask.Orders), count 0 of 1, 1 async waiter",
                AwaitCycles.Node.SemaphoreWait, AwaitCycles.Link.Holds, "await AsyncAbbaTask.Orders.WaitAsync() (Program.cs:180)"),
        };
        var cycle = new DeadlockCycle([], []) { IsPossible = true, AwaitCycle = new AwaitCycles.Cycle(steps, []) };

        var message = Assert.Single(ReportBuilder.Build(DateTimeOffset.UnixEpoch, [cycle], null, [], [], [])).Message;
        var first = message.Split('\n')[0];

        Assert.Contains("unless code the dump does not show (a thread, a callback, a method not suspended now) completes that TaskCompletionSource, unless the semaphore's slot was released by code the dump does not show, none of them can ever proceed.", first, StringComparison.Ordinal);
        Assert.DoesNotContain("every link below is in the heap", message, StringComparison.Ordinal);
        Assert.Contains("→ which only this completes (its AsyncAbbaTask.Priced.SetResult(...) (Program.cs:188), after the await it is suspended at): async method Shop.AsyncAbbaTask.PriceAsync", message, StringComparison.Ordinal);
        Assert.Contains("→ whose only slot this holds (it passed await AsyncAbbaTask.Orders.WaitAsync() (Program.cs:180) and has not released it): async method Shop.AsyncAbbaTask.PlaceOrderAsync", message, StringComparison.Ordinal);
        Assert.Contains("A possible deadlock: a TaskCompletionSource records no owner.", message, StringComparison.Ordinal);
    }

    private static AwaitCycles.Step Step(ulong address, string description, AwaitCycles.Node kind, AwaitCycles.Link link = AwaitCycles.Link.Awaits, string? evidence = null) =>
        new(address, new AwaitedTask(address, description, "WaitingForActivation", null, null, false), kind, link, evidence);
}
