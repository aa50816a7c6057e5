using Brigade.Doctor.Tests.Review64;

namespace Brigade.Doctor.Tests.Doctor67;

/// <summary>
/// Doctor67: hung programs of kinds the corpus did not have, each diagnosed live (/tmp/d67: ten programs; the six the doctor
/// read right are not in the corpus). A legacy <c>ReaderWriterLock</c> pair taken in opposite orders, a nested monitor
/// lockout (<c>Monitor.Wait</c> under another lock its pulser takes first) and <c>Task.WaitAny</c> under a lock all its
/// tasks take read "No pitfall found"; a full channel's writer whose reader waits behind its lock was a cycle whose line said
/// the reader had ended. And two leftovers: a <c>BlockingCollection.Take</c> in such a cycle said "no thread is adding to
/// it now" beside "to which an item would be added by"; a <c>WaitHandle.WaitAny</c> (and <c>WaitAll</c>) line named no handle.
/// </summary>
public sealed class UnseenHangTests
{
    [Fact]
    public async Task LegacyReaderWriterLocksInOppositeOrders_AreACycle_NamingTheWriteLocksHolders()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("legacy-rwlock-abba");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        var text = diagnosis.ToString();

        var cycle = Assert.Single(diagnosis.Deadlocks, d => d.Threads.Any(t => t.Name == "ledger-then-audit"));
        Assert.False(cycle.IsPossible, text);
        var writer = Assert.Single(cycle.Links, l => l.Waiter.Name == "ledger-then-audit");
        Assert.Equal("ReaderWriterLock.AcquireWriterLock", writer.Wait.Api);
        Assert.Equal("System.Threading.ReaderWriterLock", writer.Wait.Target?.TypeName);
        Assert.Equal("static field Brigade.Doctor.Corpus.Scenarios.LegacyReaderWriterLockAbba.Audit", writer.Wait.Target?.HeldIn);
        Assert.Equal("audit-then-ledger", writer.Holder.Name);
        var reader = Assert.Single(cycle.Links, l => l.Waiter.Name == "audit-then-ledger");
        Assert.Equal("ReaderWriterLock.AcquireReaderLock", reader.Wait.Api);
        Assert.Contains("whose write lock is held by thread 'ledger-then-audit'", text, StringComparison.Ordinal);
        Assert.DoesNotContain("no owner to blame", text, StringComparison.Ordinal);

        // A writer waiting for a reader: the reader is found in its own thread's lock entries.
        var journal = Assert.Single(diagnosis.Deadlocks, d => d.Threads.Any(t => t.Name == "journal-writer"));
        Assert.False(journal.IsPossible, text);
        var forReader = Assert.Single(journal.Links, l => l.Waiter.Name == "journal-writer");
        Assert.Equal("journal-reader", forReader.Holder.Name);
        Assert.Equal("read lock", forReader.Wait.HolderRoles[forReader.Holder.ManagedThreadId]);
        Assert.DoesNotContain("caught between two holders", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MonitorWaitUnderALockItsPulserTakesFirst_IsAPossibleCycle_NamingThePulseLine_AndATimedWaitIsNone()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("nested-monitor-lockout");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        var text = diagnosis.ToString();

        var cycle = Assert.Single(diagnosis.Deadlocks);
        Assert.True(cycle.IsPossible, text);
        var link = Assert.Single(cycle.Links, l => l.Wait.Kind == WaitKind.MonitorWait);
        Assert.Equal("pulse-waiter", link.Waiter.Name);
        Assert.Equal("pulse-notifier", link.Holder.Name);
        var role = link.Wait.HolderRoles[link.Holder.ManagedThreadId];
        Assert.StartsWith("which would be pulsed (", role, StringComparison.Ordinal);
        Assert.Contains($"(NestedMonitorLockout.cs:{CorpusSource.LineOf("NestedMonitorLockout.cs", "Monitor.PulseAll(Inner);")}) calls PulseAll on it after the lock it waits for", role, StringComparison.Ordinal);

        var message = diagnosis.Reports.Single(r => r.Message.Contains("'pulse-waiter'", StringComparison.Ordinal)).Message;
        Assert.StartsWith("Deadlock detected: 2 threads wait for each other in a cycle (Monitor.Wait, lock/Monitor); unless code the dump does not show pulses the object, none of them can ever proceed.", message, StringComparison.Ordinal);
        Assert.Contains("Never call Monitor.Wait while holding another lock its pulser takes first", message, StringComparison.Ordinal);
        Assert.DoesNotContain("semaphore", message, StringComparison.OrdinalIgnoreCase);

        // Monitor.Wait(obj, timeout) gives up: no cycle, its notifier no owner of it.
        var timed = Assert.Single(diagnosis.Threads, t => t.Name == "timed-pulse-waiter");
        Assert.Equal(WaitKind.MonitorWait, timed.Wait?.Kind);
        Assert.Empty(timed.Wait!.Owners);
    }

    [Fact]
    public async Task TaskWaitAnyUnderALockEveryOneOfItsTasksTakes_IsACycle_AndOneWithAFreeTaskIsNone()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("task-waitany-under-lock");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        var text = diagnosis.ToString();

        var cycle = Assert.Single(diagnosis.Deadlocks);
        Assert.False(cycle.IsPossible, text);
        var dispatcher = Assert.Single(cycle.Links, l => l.Waiter.Name == "dispatcher");
        Assert.Equal("Task.WaitAny", dispatcher.Wait.Api);
        Assert.Equal(2, dispatcher.Wait.Owners.Count);
        Assert.StartsWith("Task.Run(Brigade.Doctor.Corpus.Scenarios.TaskWaitAnyUnderLock.Probe)", dispatcher.Wait.Task?.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("CompleteOnInvokePromise", text, StringComparison.Ordinal);

        // One of its tasks does not need the lock (it sleeps): it may end the wait; no owners, no cycle.
        var half = Assert.Single(diagnosis.Threads, t => t.Name == "half-dispatcher");
        Assert.Equal("Task.WaitAny", half.Wait?.Api);
        Assert.Empty(half.Wait!.Owners);
        Assert.Equal("any one of 2 ends it", half.Wait.Detail);
    }

    [Fact]
    public async Task AFullChannelsWriterWhoseReaderWaitsBehindItsLock_DoesNotSayTheReaderHasEnded()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("channel-full-under-readers-lock");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var text = outcome.Diagnosis!.ToString();
        var cycle = Assert.Single(outcome.Diagnosis.Deadlocks);
        Assert.True(cycle.IsPossible, text);
        Assert.DoesNotContain("its reader has ended", text, StringComparison.Ordinal);
        Assert.DoesNotContain("nothing will make room", text, StringComparison.Ordinal);
        Assert.Contains("by thread 'journal-reader'", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitAnyAndWaitAllOnHandles_NameEachHandle()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("waithandle-wait");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        const string scenario = "static field Brigade.Doctor.Corpus.Scenarios.AutoResetEventWait.";
        Assert.Equal($"any of 2 handles: System.Threading.ManualResetEvent ({scenario}Priced), System.Threading.AutoResetEvent ({scenario}Packed)",
            diagnosis.Threads.Single(t => t.Name == "any-owner").Wait?.Detail);
        Assert.Equal($"all of 2 handles: System.Threading.ManualResetEvent ({scenario}Labelled), System.Threading.ManualResetEvent ({scenario}Weighed)",
            diagnosis.Threads.Single(t => t.Name == "all-owner").Wait?.Detail);
        Assert.Contains($"thread 'timed-any-owner' (#", diagnosis.ToString(), StringComparison.Ordinal);
        Assert.Equal($"any of 1 handle: System.Threading.AutoResetEvent ({scenario}TimedSignal)", diagnosis.Threads.Single(t => t.Name == "timed-any-owner").Wait?.Detail);
    }

    [Fact]
    public async Task ATakeInACycleWithItsAdder_DoesNotSayNoThreadIsAdding()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("semaphore-wait-under-lock-releaser-behind");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var consumer = outcome.Diagnosis!.Threads.Single(t => t.Name == "inbox-consumer");
        Assert.Equal("empty, adding not completed", consumer.Wait?.Detail);
        var line = outcome.Diagnosis.ToString().Split('\n').Single(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"thread 'inbox-consumer' \(#\d+\) waits in"));
        Assert.DoesNotContain(Analysis.RuntimeReader.NoAdder, line, StringComparison.Ordinal);
        Assert.Contains("to which an item would be added (", line, StringComparison.Ordinal);
    }
}
