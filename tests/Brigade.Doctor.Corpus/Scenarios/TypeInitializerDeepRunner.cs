using System.Runtime.CompilerServices;

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Correct twin (review 28, T1): a slow static constructor runs a 250-deep recursive load and then sleeps (it
/// will end), so its <c>.cctor</c> frame lies beyond the frames kept per thread; a thread holding a lock waits for it, and
/// another static constructor, on a third thread, waits for that lock. The deep thread is a candidate the doctor cannot
/// rule out: no owner is named, and the wait for the lock closes no cycle.</summary>
public sealed class TypeInitializerDeepRunner : Scenario
{
    private static readonly object Sync = new();
    private static readonly ManualResetEventSlim Holding = new();
    private static int s_touching;
    private static int s_deep;

    public override string Name => "twin-type-initializer-deep-runner";

    public override Expectation Expected => new(Finding.None) { TextContains = "frames deep, the outer ones not read" };

    public override void Start()
    {
        var deep = Run("deep-init", () => _ = Deep.Value);
        WaitUntil(() => Volatile.Read(ref s_deep) == 1);
        WaitUntilBlocked(deep);
        var holder = Run("lock-holder", () =>
        {
            lock (Sync)
            {
                Holding.Set();
                Volatile.Write(ref s_touching, 1);
                _ = Deep.Value;
            }
        });
        Holding.Wait();
        var locking = Run("locking-init", () => _ = Locking.Value);
        WaitUntilBlocked(locking);
        WaitUntil(() => Volatile.Read(ref s_touching) == 1);
        GC.KeepAlive(holder);
    }

    private static class Deep
    {
        public static readonly int Value = Load(250);

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static int Load(int depth)
        {
            if (depth == 0)
            {
                Volatile.Write(ref s_deep, 1);
                Thread.Sleep(TimeSpan.FromHours(1));
                return 1;
            }

            return Load(depth - 1) + 1;
        }
    }

    private static class Locking
    {
        public static readonly int Value;

        static Locking()
        {
            lock (Sync)
            {
                Value = 1;
            }
        }
    }
}
