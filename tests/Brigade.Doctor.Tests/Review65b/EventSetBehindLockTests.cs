using Brigade.Doctor.Tests.Review64;

namespace Brigade.Doctor.Tests.Review65b;

/// <summary>
/// Review 65b: a thread waits in <c>ManualResetEvent.WaitOne()</c> (no timeout) while it holds a lock that the event's only
/// setter needs first: <c>lock (Cache) { Loaded.WaitOne(); }</c> against <c>lock (Cache) { Loaded.Set(); }</c>. It read
/// "No pitfall found", the wait "no owner to blame ...; meanwhile it holds a lock thread 'loader' waits for: if that thread
/// is to signal it, they deadlock". Now a possible cycle, as a <c>ManualResetEventSlim</c>'s since review 64: the wait roots
/// only the event's <c>SafeWaitHandle</c>, so the setter's <c>EventWaitHandle.Set</c> receiver is matched through the
/// event's <c>_waitHandle</c>. A <c>WaitOne(timeout)</c> beside it gives up: no cycle. The programs are the corpus's
/// <c>event-wait-under-lock</c> (a static event) and <c>new-captured-event-under-lock</c> (a captured local).
/// </summary>
public sealed class EventSetBehindLockTests
{
    [Fact]
    public async Task AWaitOneUnderALockItsSetterTakesFirst_IsAPossibleCycle_NamingTheSetLine()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("event-wait-under-lock");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        var text = diagnosis.ToString();

        var cycle = Assert.Single(diagnosis.Deadlocks);
        Assert.True(cycle.IsPossible, text);
        Assert.Equal(["cache-owner", "loader"], cycle.Threads.Select(t => t.Name).Order(StringComparer.Ordinal));
        var link = Assert.Single(cycle.Links, l => l.Wait.Kind == WaitKind.WaitHandle);
        Assert.Equal("loader", link.Holder.Name);
        var role = link.Wait.HolderRoles[link.Holder.ManagedThreadId];
        Assert.StartsWith("which would be set (", role, StringComparison.Ordinal);
        var line = CorpusSource.LineOf("EventWaitUnderLock.cs", "var loader = Run(\"loader\", () => { lock (Cache) { Loaded.Set(); } });");
        Assert.Contains($"(EventWaitUnderLock.cs:{line}) calls Set on it after the lock it waits in", role, StringComparison.Ordinal);

        var message = Assert.Single(diagnosis.Reports).Message;
        Assert.StartsWith("Deadlock detected: 2 threads wait for each other in a cycle (", message, StringComparison.Ordinal);
        Assert.Contains("unless code the dump does not show sets the event, none of them can ever proceed", message, StringComparison.Ordinal);
        Assert.Contains("A possible deadlock: a ManualResetEvent or AutoResetEvent records no owner.", message, StringComparison.Ordinal);
        // Review 66: the advice fits the wait (its setter waits for a lock, not in a Join): it read "set an event before joining".
        Assert.Contains("Set an event outside the lock", message, StringComparison.Ordinal);
        Assert.DoesNotContain("join", message, StringComparison.OrdinalIgnoreCase);

        // Not a timer's handle: no Timer.Dispose advice.
        Assert.DoesNotContain("Timer.Dispose", message, StringComparison.Ordinal);

        // WaitOne(TimeSpan) under the same kind of lock gives up: no cycle, and its setter is no owner.
        var timed = Assert.Single(diagnosis.Threads, t => t.Name == "timed-cache-owner");
        Assert.Equal(WaitKind.WaitHandle, timed.Wait?.Kind);
        Assert.Empty(timed.Wait!.Owners);
    }

    [Fact]
    public async Task AWaitOneOnACapturedEventUnderALockItsSetterTakesFirst_IsAPossibleCycle()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("new-captured-event-under-lock");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        var text = diagnosis.ToString();

        var cycle = Assert.Single(diagnosis.Deadlocks);
        Assert.True(cycle.IsPossible, text);
        Assert.Equal(["catalog-loader", "catalog-owner"], cycle.Threads.Select(t => t.Name).Order(StringComparer.Ordinal));
        var link = Assert.Single(cycle.Links, l => l.Wait.Kind == WaitKind.WaitHandle);
        var line = CorpusSource.LineOf("NewCapturedEventUnderLock.cs", "var loader = Run(\"catalog-loader\", () => { lock (Catalog) { loaded.Set(); } });");
        Assert.Contains($"(NewCapturedEventUnderLock.cs:{line}) calls Set on it after the lock it waits in", link.Wait.HolderRoles[link.Holder.ManagedThreadId], StringComparison.Ordinal);
        Assert.Contains("unless code the dump does not show sets the event", Assert.Single(diagnosis.Reports).Message, StringComparison.Ordinal);
    }
}
