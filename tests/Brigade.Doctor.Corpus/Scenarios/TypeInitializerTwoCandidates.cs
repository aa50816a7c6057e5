namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Correct twin: a thread holding a lock waits for a slow static constructor (it sleeps, it will end) while a
/// second static constructor, on another thread, waits for that lock. The waited type is not in the dump: with two
/// threads inside static constructors the wait has no owner, and the one that waits for the lock closes no cycle.</summary>
public sealed class TypeInitializerTwoCandidates : Scenario
{
    private static readonly object Sync = new();
    private static readonly ManualResetEventSlim Holding = new();
    private static int s_touching;

    public override string Name => "twin-type-initializer-two-candidates";

    public override Expectation Expected => new(Finding.None) { TextContains = "for a static constructor running on one of threads" };

    public override void Start()
    {
        var slow = Run("slow-init", () => _ = Slow.Value);
        WaitUntilBlocked(slow);
        var holder = Run("lock-holder", () =>
        {
            lock (Sync)
            {
                Holding.Set();
                Volatile.Write(ref s_touching, 1);
                _ = Slow.Value;
            }
        });
        Holding.Wait();
        var locking = Run("locking-init", () => _ = Locking.Value);
        WaitUntilBlocked(locking);
        WaitUntil(() => Volatile.Read(ref s_touching) == 1);
        GC.KeepAlive(holder);
    }

    private static class Slow
    {
        public static readonly int Value;

        static Slow()
        {
            Thread.Sleep(TimeSpan.FromHours(1));
            Value = 1;
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
