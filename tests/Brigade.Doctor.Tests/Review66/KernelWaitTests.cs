using Brigade.Doctor.Tests.Review64;

namespace Brigade.Doctor.Tests.Review66;

/// <summary>
/// Review 66: kernel waits the doctor did not read (/tmp/doctor66-waits, one program per pattern, as a user writes them).
/// <c>WaitHandle.WaitAny(handles)</c> and <c>WaitAll(handles)</c> under a lock whose loader sets them after taking it, and a
/// kernel <c>Semaphore.WaitOne()</c> under a lock whose giver releases it after taking it, each read "No pitfall found" with
/// "no owner to blame ... if that thread is to signal it, they deadlock"; two <c>Mutex</c>es taken in opposite orders, and
/// a Mutex held by a thread waiting for a lock whose holder waits for that Mutex, read "No pitfall found" with "a Mutex is
/// owned by the thread that acquired it, which the dump does not show". Now possible cycles: an event or a semaphore records
/// no owner; a Mutex's owner is not in the dump (CoreCLR keeps it in its native wait subsystem, which neither the heap nor
/// the runtime's data-access library exposes), so it is read from the holder's code. The programs are the corpus's
/// <c>waithandle-wait</c> and <c>mutex-abba</c>, one dump each.
/// </summary>
public sealed class KernelWaitTests
{
    [Fact]
    public async Task WaitAnyWaitAllAndASemaphoreUnderALockTheirSignallerTakesFirst_ArePossibleCycles_NamingTheSignalLine()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("waithandle-wait");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        var text = diagnosis.ToString();

        foreach (var (owner, loader, call, prefix, verb) in new[]
        {
            ("any-owner", "any-loader", "var anyLoader = Run(\"any-loader\", () => { lock (AnyGate) { Packed.Set(); } });", "which would be set (", "calls Set on it"),
            ("all-owner", "all-loader", "var allLoader = Run(\"all-loader\", () => { lock (AllGate) { Labelled.Set(); Weighed.Set(); } });", "which would be set (", "calls Set on it"),
            ("slot-waiter", "slot-giver", "var slotGiver = Run(\"slot-giver\", () => { lock (SlotGate) { Slots.Release(); } });", "which would be released (", "calls Release on it"),
        })
        {
            var cycle = Assert.Single(diagnosis.Deadlocks, d => d.Threads.Any(t => t.Name == owner));
            Assert.True(cycle.IsPossible, text);
            Assert.Equal([loader, owner], cycle.Threads.Select(t => t.Name).Order(StringComparer.Ordinal));
            var link = Assert.Single(cycle.Links, l => l.Wait.Kind == WaitKind.WaitHandle);
            Assert.Equal(loader, link.Holder.Name);
            var role = link.Wait.HolderRoles[link.Holder.ManagedThreadId];
            Assert.StartsWith(prefix, role, StringComparison.Ordinal);
            Assert.Contains($"(AutoResetEventWait.cs:{CorpusSource.LineOf("AutoResetEventWait.cs", call)}) {verb} after the lock it waits in", role, StringComparison.Ordinal);
        }

        var semaphore = Assert.Single(diagnosis.Reports, r => r.Message.Contains("'slot-waiter'", StringComparison.Ordinal)).Message;
        Assert.Contains("unless code the dump does not show releases the semaphore, none of them can ever proceed", semaphore, StringComparison.Ordinal);
        Assert.Contains("A possible deadlock: a Semaphore records no owner.", semaphore, StringComparison.Ordinal);
        Assert.Contains("Release a semaphore outside the lock", semaphore, StringComparison.Ordinal);
        Assert.DoesNotContain("sets the event", semaphore, StringComparison.Ordinal);
        Assert.DoesNotContain("Set an event", semaphore, StringComparison.Ordinal);
        Assert.DoesNotContain("Timer.Dispose", semaphore, StringComparison.Ordinal);

        var any = Assert.Single(diagnosis.Reports, r => r.Message.Contains("'any-owner'", StringComparison.Ordinal)).Message;
        Assert.Contains("unless code the dump does not show sets the event, none of them can ever proceed", any, StringComparison.Ordinal);
        Assert.Contains("WaitHandle.WaitAny", any, StringComparison.Ordinal);

        // WaitAny(handles, timeout) under the same kind of lock gives up: no cycle, its loader no owner of it.
        var timed = Assert.Single(diagnosis.Threads, t => t.Name == "timed-any-owner");
        Assert.Equal(WaitKind.WaitHandle, timed.Wait?.Kind);
        Assert.Empty(timed.Wait!.Owners);
        Assert.DoesNotContain(diagnosis.Deadlocks, d => d.Threads.Any(t => t.Name is "timed-any-owner" or "handle-waiter"));

        // The event nobody sets stays what it was: blocked, no owner to blame.
        Assert.Contains(diagnosis.BlockedWithoutOwner, t => t.Name == "handle-waiter");
    }

    [Fact]
    public async Task MutexesInOppositeOrders_AndAMutexHeldAcrossALockItsWaiterHolds_ArePossibleCycles_NamingTheAcquiringLine()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("mutex-abba");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        var text = diagnosis.ToString();

        var abba = Assert.Single(diagnosis.Deadlocks, d => d.Threads.Any(t => t.Name == "orders-then-stock"));
        Assert.True(abba.IsPossible, text);
        Assert.Equal(["orders-then-stock", "stock-then-orders"], abba.Threads.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.All(abba.Links, l => Assert.Equal(WaitKind.WaitHandle, l.Wait.Kind));
        var waitsForStock = Assert.Single(abba.Links, l => l.Waiter.Name == "orders-then-stock");
        Assert.Equal("stock-then-orders", waitsForStock.Holder.Name);
        var line = CorpusSource.LineOf("MutexAbba.cs", "var b = Run(\"stock-then-orders\", () => { Stock.WaitOne(); bothHold.SignalAndWait(); Orders.WaitOne(); });");
        var role = waitsForStock.Wait.HolderRoles[waitsForStock.Holder.ManagedThreadId];
        Assert.StartsWith("which was acquired (", role, StringComparison.Ordinal);
        Assert.Contains($"(MutexAbba.cs:{line}) calls WaitOne() on it, and no ReleaseMutex since", role, StringComparison.Ordinal);

        var journal = Assert.Single(diagnosis.Deadlocks, d => d.Threads.Any(t => t.Name == "journal-owner"));
        Assert.True(journal.IsPossible, text);
        var mutexLink = Assert.Single(journal.Links, l => l.Wait.Kind == WaitKind.WaitHandle);
        Assert.Equal("journal-writer", mutexLink.Waiter.Name);
        Assert.Equal("journal-owner", mutexLink.Holder.Name);
        Assert.Contains($"(MutexAbba.cs:{CorpusSource.LineOf("MutexAbba.cs", "Journal.WaitOne();")}) calls WaitOne() on it, and no ReleaseMutex since",
            mutexLink.Wait.HolderRoles[mutexLink.Holder.ManagedThreadId], StringComparison.Ordinal);

        var message = Assert.Single(diagnosis.Reports, r => r.Message.Contains("'journal-owner'", StringComparison.Ordinal)).Message;
        Assert.Contains("unless a Mutex was released by code the dump does not show, none of them can ever proceed", message, StringComparison.Ordinal);
        Assert.Contains("A possible deadlock: the dump does not hold a Mutex's owner", message, StringComparison.Ordinal);
        Assert.Contains("Take Mutexes (and the locks you hold with them) in one global order", message, StringComparison.Ordinal);
        Assert.DoesNotContain("Timer.Dispose", message, StringComparison.Ordinal);
        Assert.DoesNotContain("which the dump does not show (the OS keeps it", text, StringComparison.Ordinal);
    }
}
