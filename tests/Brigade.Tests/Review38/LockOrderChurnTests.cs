using System.Runtime.CompilerServices;
using Brigade.Diagnostics;
using Brigade.Synchronization;
using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Review38;

/// <summary>
/// Review 38: a program that makes a lock per entity (per account, per request, per cache entry), takes it under a
/// long-lived lock and drops it, records an order per entity. The orders of locks that were collected stayed in the graph
/// for ever: about 300 bytes each, and at 100,000 orders the graph was full, so no new order was recorded and a real
/// inversion between two live locks afterwards went unreported. Orders of collected primitives are now dropped.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class LockOrderChurnTests
{
    private readonly PitfallDiagnostics _diagnostics = new() { LockOrderMode = LockOrderMode.Report };

    [Fact]
    public void OrdersOfCollectedLocks_AreDropped()
    {
        var registry = NewLock("registry");
        TakeEntities(registry, 0, 2_000);
        Collect();

        // The dead locks' orders go when the graph is next written to.
        TakeEntities(registry, 2_000, 1);
        Assert.True(_diagnostics.OrderGraph.EdgeCount < 100, $"{_diagnostics.OrderGraph.EdgeCount} orders kept for 2,001 locks of which 2,000 were dropped");
    }

    [Fact]
    public void AfterMoreThanTheCapOfShortLivedLocks_AnInversionIsStillReported()
    {
        var registry = NewLock("registry");
        for (var i = 0; i < LockOrderGraph.MaxEdges + 10_000; i += 20_000)
        {
            TakeEntities(registry, i, 20_000);
            Collect();
        }

        var a = NewLock("A");
        var b = NewLock("B");
        using (a.Acquire())
        using (b.Acquire())
        {
        }

        using (b.Acquire())
        using (a.Acquire())
        {
        }

        var report = Assert.IsType<LockOrderReport>(Assert.Single(_diagnostics.Reports));
        Assert.Equal("lock 'A'", report.Current.AcquiredLock);
        Assert.Equal("lock 'B'", report.Current.HeldLock);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void TakeEntities(DetectingLock registry, int first, int count)
    {
        for (var i = first; i < first + count; i++)
        {
            var entity = NewLock($"entity {i}");
            using (registry.Acquire())
            using (entity.Acquire())
            {
            }
        }
    }

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    private DetectingLock NewLock(string name) => new(new LockOptions { Name = name, Diagnostics = _diagnostics });
}
