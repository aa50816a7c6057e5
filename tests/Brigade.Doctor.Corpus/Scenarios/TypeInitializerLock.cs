namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>A static constructor takes a lock; another thread holds that lock and touches the type: each waits for the
/// other (the lock, and the runtime's type-initialization lock held while the static constructor runs).</summary>
public sealed class TypeInitializerLock : Scenario
{
    private static readonly object Sync = new();
    private static readonly ManualResetEventSlim Holding = new();
    private static readonly ManualResetEventSlim InConstructor = new();
    private static int s_touching;

    public override string Name => "type-initializer-lock";

    public override Expectation Expected => new(Finding.Deadlock)
    {
        Cycles = [["first-use", "under-lock"]],
        WaitKinds = ["Monitor", "TypeInitializer"],
        TextContains = "for the static constructor of Brigade.Doctor.Corpus.Scenarios.TypeInitializerLock.Registry",
    };

    public override void Start()
    {
        Run("under-lock", () =>
        {
            lock (Sync)
            {
                Holding.Set();
                InConstructor.Wait();
                Volatile.Write(ref s_touching, 1);
                _ = Registry.Count;
            }
        });
        Holding.Wait();
        var firstUse = Run("first-use", () => _ = Registry.Count);
        WaitUntilBlocked(firstUse);
        WaitUntil(() => Volatile.Read(ref s_touching) == 1);
    }

    private static class Registry
    {
        public static readonly int Count;

        static Registry()
        {
            InConstructor.Set();
            lock (Sync)
            {
                Count = 1;
            }
        }
    }
}
