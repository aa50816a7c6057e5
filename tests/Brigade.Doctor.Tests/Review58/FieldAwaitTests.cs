using System.Reflection;
using System.Runtime.CompilerServices;
using Brigade.Doctor.Analysis;

namespace Brigade.Doctor.Tests.Review58;

/// <summary>Review 58: an async method suspended at an await of a task held in a field (<c>await _pending</c>, <c>await
/// s_started</c>) read <c>suspended at await #1</c>: the IL reader looked for the call the awaiter came from, and a field
/// load is no call. Seen on a hung program (/tmp/doctor58-progs, mode AwaitField: <c>async method Orders.Warmup.WaitPendingAsync
/// (suspended at await #1)</c>, now <c>(suspended at await #1: _pending, Program.cs:223)</c>). Tested here on this assembly's
/// own state machines, read from its file as the doctor reads a dumped program's.</summary>
public sealed class FieldAwaitTests
{
    [Fact]
    public void AnAwaitOfATaskField_IsNamedByTheField()
    {
        var site = Assert.Single(Awaits(nameof(Warmup.PendingAsync)));

        // Failed before: no site at all (the method read "suspended at await #0").
        Assert.True(site.IsFieldAwait);
        Assert.Equal("_pending", site.Display);
        Assert.Null(site.Acquires);
    }

    [Fact]
    public void AnAwaitOfAFieldWithConfigureAwait_IsNamedByTheField()
    {
        var site = Assert.Single(Awaits(nameof(Warmup.ConfiguredAsync)));

        Assert.Equal("_pending", site.Display);
    }

    [Fact]
    public void AnAwaitOfAStaticField_IsNamedWithItsType()
    {
        var site = Assert.Single(Awaits(nameof(Warmup.StartedAsync)));

        Assert.Equal("Warmup.s_started", site.Display);
    }

    [Fact]
    public void AnAwaitOfACall_IsNamedAsBefore()
    {
        var site = Assert.Single(Awaits(nameof(Warmup.ReadyAsync)));

        Assert.False(site.IsFieldAwait);
        Assert.Equal("_ready.Task", site.Display);
    }

    private static List<AwaitSites.Site> Awaits(string method)
    {
        var machineType = typeof(Warmup).GetMethod(method, BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public)!
            .GetCustomAttribute<AsyncStateMachineAttribute>()!.StateMachineType;
        var moveNext = machineType.GetMethod("MoveNext", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)!;
        var machine = AwaitSites.ReadFile(machineType.Assembly.Location, moveNext.MetadataToken);
        Assert.NotNull(machine);
        return [.. machine.ByState.OrderBy(p => p.Key).Select(p => p.Value)];
    }

    /// <summary>Awaits of fields, as a service's start-up code has them.</summary>
    private sealed class Warmup
    {
        private static Task? s_started = Task.CompletedTask;
        private readonly TaskCompletionSource _ready = new();
        private readonly Task _pending = Task.CompletedTask;

        public static async Task StartedAsync() => await s_started!;

        public async Task PendingAsync() => await _pending;

        public async Task ConfiguredAsync() => await _pending.ConfigureAwait(false);

        public async Task ReadyAsync() => await _ready.Task;
    }
}
