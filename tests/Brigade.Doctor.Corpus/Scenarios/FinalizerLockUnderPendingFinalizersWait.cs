using System.Runtime.CompilerServices;

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 45: a compaction step holds the registry's lock while it waits for pending finalizers
/// (<c>GC.Collect(); GC.WaitForPendingFinalizers();</c>); the finalizer of a dropped buffer takes that lock. Before: the
/// waiting thread was not shown as waiting at all (<c>GC.WaitForPendingFinalizers</c> was no known wait) and the finalizer
/// thread was listed "held by" it; nothing was reported.</summary>
public sealed class FinalizerLockUnderPendingFinalizersWait : Scenario
{
    private static readonly object Registry = new();
    private static int _live;
    private static int _inFinalizer;

    public override string Name => "finalizer-lock-under-pending-finalizers-wait";

    public override Expectation Expected => new(Finding.Deadlock)
    {
        Cycles = [["compactor", "finalizer"]],
        WaitKinds = ["PendingFinalizers", "Monitor"],
        TextContains = "waits in GC.WaitForPendingFinalizers",
    };

    public override void Start()
    {
        var compactor = Run("compactor", () =>
        {
            lock (Registry)
            {
                Allocate();
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        });
        WaitUntil(() => Volatile.Read(ref _inFinalizer) == 1);
        WaitUntilBlocked(compactor);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Allocate()
    {
        for (var i = 0; i < 10; i++)
        {
            _ = new Buffer();
            _live++;
        }
    }

    private sealed class Buffer
    {
        ~Buffer()
        {
            // Named so that the label can name the cycle's threads (the runtime's finalizer thread has no name).
            Thread.CurrentThread.Name ??= "finalizer";
            Volatile.Write(ref _inFinalizer, 1);
            lock (Registry)
            {
                _live--;
            }
        }
    }
}
