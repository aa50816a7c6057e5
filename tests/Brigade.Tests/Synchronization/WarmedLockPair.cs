using Brigade.Diagnostics;
using Brigade.Synchronization;

namespace Brigade.Tests.Synchronization;

/// <summary>Two detecting locks, A and B, whose order A → B one thread has already recorded: the next B-then-A inverts it.</summary>
internal static class WarmedLockPair
{
    public static async Task<(DetectingLock A, DetectingLock B)> CreateAsync(PitfallDiagnostics diagnostics)
    {
        var a = new DetectingLock(new LockOptions { Name = "A", Diagnostics = diagnostics });
        var b = new DetectingLock(new LockOptions { Name = "B", Diagnostics = diagnostics });
        await TestThreads.Run("warm", () =>
        {
            using (a.Acquire())
            using (b.Acquire())
            {
            }
        }).Bounded();
        return (a, b);
    }
}
