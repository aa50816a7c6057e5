using Brigade.Doctor.Analysis;

namespace Brigade.Doctor.Tests.Review58;

/// <summary>Review 58: a loop over a bounded channel that awaits <c>WriteAsync</c> to that same full channel, and an actor
/// that awaits the reply to a request it posted to its own mailbox, read "No pitfall found" (review 57's known misses). The
/// heap side (the flow holds the channel's reader across its await, no other flow or thread does, the channel is full, or
/// the awaited source sits in an item it buffers) was checked on hung programs (/tmp/doctor58-progs: RetryQueue and Ledger
/// reported; RetryQueueRoom, RetryQueueUnbounded, ForwardToOther and LedgerAsksOther not); the graph and the wording are
/// tested here, in process. 0xA0.. async methods, 0xC0.. a completion source's task, 0xF0.. a channel's blocked write.</summary>
public sealed class OwnChannelCycleTests
{
    [Fact]
    public void AWriteWhoseOnlyReaderIsItsOwnFlow_IsAPossibleCycleOfOne()
    {
        // PumpAsync (0xA0) awaits its write (0xF0), for which only its own next read would make room.
        var certain = new Dictionary<ulong, List<ulong>> { [0xA0] = [0xF0] };
        var inferred = new Dictionary<(ulong, ulong), AwaitCycles.Link> { [(0xF0, 0xA0)] = AwaitCycles.Link.OnlyReader };

        var (cycle, _, links) = Assert.Single(AwaitCycles.Search(certain, inferred));

        Assert.Equal([0xA0UL, 0xF0], cycle);
        Assert.Equal([AwaitCycles.Link.Awaits, AwaitCycles.Link.OnlyReader], links);
    }

    [Fact]
    public void AnActorAwaitingARequestInItsOwnMailbox_IsAPossibleCycle()
    {
        // RunAsync (0xA0) awaits HandleAsync (0xA1), which awaits a reply (0xC0) whose request sits in RunAsync's mailbox.
        var certain = new Dictionary<ulong, List<ulong>> { [0xA0] = [0xA1], [0xA1] = [0xC0] };
        var inferred = new Dictionary<(ulong, ulong), AwaitCycles.Link> { [(0xC0, 0xA0)] = AwaitCycles.Link.Mailbox };

        var (cycle, _, links) = Assert.Single(AwaitCycles.Search(certain, inferred));

        Assert.Equal([0xA0UL, 0xA1, 0xC0], cycle);
        Assert.Equal(AwaitCycles.Link.Mailbox, links[2]);
    }

    [Fact]
    public void AChannelWriteCycle_SaysWhatItDependsOnInItsFirstLine()
    {
        var steps = new List<AwaitCycles.Step>
        {
            Step(0xA0, "async method Orders.RetryQueue.PumpAsync (suspended at await #2: _jobs.Writer.WriteAsync(...), Program.cs:57)", AwaitCycles.Node.Method),
            Step(0xF0, "a Channel's WriteAsync, waiting for room in a full bounded channel (it ends when a reader takes an item): System.Threading.Channels.BlockedWriteAsyncOperation<System.Int32>, writing to System.Threading.Channels.BoundedChannel<System.Int32>, 2 of 2 items buffered",
                AwaitCycles.Node.ChannelWrite, AwaitCycles.Link.OnlyReader, "it holds the reader of System.Threading.Channels.BoundedChannel<System.Int32>"),
        };
        var cycle = new DeadlockCycle([], []) { IsPossible = true, AwaitCycle = new AwaitCycles.Cycle(steps, []) };

        var report = Assert.Single(ReportBuilder.Build(DateTimeOffset.UnixEpoch, [cycle], null, [], [], []));
        var first = report.Message.Split('\n')[0];

        // Failed before: no such link (the program read "No pitfall found").
        Assert.Equal("BRG1001", report.Code);
        Assert.StartsWith("Deadlock detected: an async flow waits for room in a full channel that only it reads (no thread blocked); unless code the dump does not show reads from that channel", first, StringComparison.Ordinal);
        Assert.Contains("→ which only a read makes room for, and only this reads it (it holds the reader of System.Threading.Channels.BoundedChannel<System.Int32> across its await): async method Orders.RetryQueue.PumpAsync", report.Message, StringComparison.Ordinal);
        Assert.Contains("A loop that reads a bounded channel must not wait to write to it", report.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("every link below is in the heap", report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnActorAskingItself_NamesTheMailboxAndTheAdvice()
    {
        var steps = new List<AwaitCycles.Step>
        {
            Step(0xA0, "async method Orders.Ledger.RunAsync (suspended at await #0: this.HandleAsync(...), Program.cs:144)", AwaitCycles.Node.Method),
            Step(0xA1, "async method Orders.Ledger.HandleAsync (suspended at await #0: this.AskAsync(...), Program.cs:152)", AwaitCycles.Node.Method),
            Step(0xC0, "the task of a TaskCompletionSource that nothing has completed yet: System.Threading.Tasks.TaskCompletionSource<System.Decimal>",
                AwaitCycles.Node.Source, AwaitCycles.Link.Mailbox, "System.Threading.Channels.SingleConsumerUnboundedChannel<Orders.Command>"),
        };
        var cycle = new DeadlockCycle([], []) { IsPossible = true, AwaitCycle = new AwaitCycles.Cycle(steps, []) };

        var message = Assert.Single(ReportBuilder.Build(DateTimeOffset.UnixEpoch, [cycle], null, [], [], [])).Message;

        Assert.StartsWith("Deadlock detected: an async flow awaits the reply to a request that sits, unread, in a channel only it reads (an actor asking itself) (no thread blocked); unless code the dump does not show reads that channel or completes the request's TaskCompletionSource", message, StringComparison.Ordinal);
        Assert.Contains("→ which is completed only once the request holding it is handled: it waits, unread, in System.Threading.Channels.SingleConsumerUnboundedChannel<Orders.Command>, which only this reads", message, StringComparison.Ordinal);
        Assert.Contains("An actor must not await a reply to a request it sends to its own mailbox", message, StringComparison.Ordinal);
    }

    internal static AwaitCycles.Step Step(ulong address, string description, AwaitCycles.Node kind, AwaitCycles.Link link = AwaitCycles.Link.Awaits, string? evidence = null) =>
        new(address, new AwaitedTask(address, description, "WaitingForActivation", null, null, false), kind, link, evidence);
}
