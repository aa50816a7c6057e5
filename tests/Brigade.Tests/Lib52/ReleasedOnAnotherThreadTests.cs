using Brigade.Diagnostics;
using Brigade.Synchronization;
using Brigade.Tests.Synchronization;

namespace Brigade.Tests.Lib52;

/// <summary>
/// A blocking acquisition released on another thread (the scope of <c>Acquire</c> disposed after an <c>await</c> that
/// resumed elsewhere): the release throws, and the primitive is released anyway. Before lib52 it stayed held for good
/// (the code that held it had finished), so every later acquisition hung.
/// </summary>
public sealed class ReleasedOnAnotherThreadTests
{
    private readonly PitfallDiagnostics _diagnostics = new() { LockOrderMode = LockOrderMode.Report };

    public static TheoryData<string> Primitives => ["lock", "semaphore", "write", "read"];

    [Theory]
    [MemberData(nameof(Primitives))]
    public async Task ReleasedElsewhere_Throws_AndFreesThePrimitive_AndTheTakerThreadKeepsNoStaleEntry(string kind)
    {
        var (primitive, acquire) = New(kind, "gate");
        var other = new DetectingLock(new LockOptions { Name = "other", Diagnostics = _diagnostics });
        using var took = new ManualResetEventSlim();
        using var released = new ManualResetEventSlim();
        LockScope scope = default;

        // The taker stays alive: after the foreign release it takes the same primitive again and then another lock, which
        // a stale entry for the first grant would turn into a self-deadlock or an order edge gate -> other.
        var taker = TestThreads.Run("taker", () =>
        {
            scope = acquire(primitive);
            took.Set();
            Assert.True(released.Wait(TestThreads.Bound));
            using (acquire(primitive))
            {
            }

            using (other.Acquire())
            {
            }
        });

        Assert.True(took.Wait(TestThreads.Bound));
        var error = await TestThreads.Run("releaser", () => Assert.Throws<SynchronizationLockException>(scope.Dispose)).Bounded();
        Assert.Contains("its async method", error.Message, StringComparison.Ordinal);
        Assert.Contains("released anyway", error.Message, StringComparison.Ordinal);

        // Free for everyone at once (before: held by the taker for good).
        Assert.True(await TestThreads.Run("next", () =>
        {
            using var s = kind == "read" ? ((DetectingReaderWriterLock)primitive).TryAcquireWrite(TimeSpan.Zero) : TryNow(primitive);
            return s.IsAcquired;
        }).Bounded());

        // A second dispose of the same scope, on either thread, is still a mistake the primitive refuses.
        Assert.Throws<SynchronizationLockException>(scope.Dispose);

        released.Set();
        await taker.Bounded();

        // other then gate on this thread: an inversion only if the taker's stack still listed gate when it took other.
        await TestThreads.Run("reverse", () =>
        {
            using (other.Acquire())
            using (acquire(primitive))
            {
            }
        }).Bounded();
        Assert.Empty(_diagnostics.Reports);
    }

    private (SynchronizationPrimitive Primitive, Func<SynchronizationPrimitive, LockScope> Acquire) New(string kind, string name)
    {
        var options = new LockOptions { Name = name, Diagnostics = _diagnostics };
        return kind switch
        {
            "lock" => (new DetectingLock(options), p => ((DetectingLock)p).Acquire()),
            "semaphore" => (new DetectingSemaphore(1, options), p => ((DetectingSemaphore)p).Acquire()),
            "write" => (new DetectingReaderWriterLock(options), p => ((DetectingReaderWriterLock)p).AcquireWrite()),
            _ => (new DetectingReaderWriterLock(options), p => ((DetectingReaderWriterLock)p).AcquireRead()),
        };
    }

    private static LockScope TryNow(SynchronizationPrimitive primitive) => primitive switch
    {
        DetectingLock l => l.TryAcquire(TimeSpan.Zero),
        DetectingSemaphore s => s.TryAcquire(TimeSpan.Zero),
        DetectingReaderWriterLock rw => rw.TryAcquireWrite(TimeSpan.Zero),
        _ => throw new ArgumentOutOfRangeException(nameof(primitive)),
    };
}
