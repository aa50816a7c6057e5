namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 48: two <c>Lazy&lt;T&gt;</c> (thread-safe, the default) whose factories read each other's <c>Value</c>,
/// first touched on two threads at once: each factory runs under its <c>Lazy</c>'s lock and waits for the other's. Before:
/// found, but each lock named <c>System.LazyHelper @addr</c> (which <c>Lazy</c>?) and the advice to "take the locks in one
/// global order", locks the program never takes.</summary>
public sealed class LazyValueCycle : Scenario
{
    private static readonly ManualResetEventSlim BothStarted = new();
    private static int s_started;
    private static readonly Lazy<string> Settings = new(() => Load("settings") + ReadCatalog());
    private static readonly Lazy<string> Catalog = new(() => Load("catalog") + Settings.Value);

    public override string Name => "lazy-value-cycle";

    public override Expectation Expected => new(Finding.Deadlock)
    {
        Cycles = [["settings-user", "catalog-user"]],
        WaitKinds = ["Monitor"],
        TextContains = "on System.LazyHelper (the lock of System.Lazy<System.String> static field Brigade.Doctor.Corpus.Scenarios.LazyValueCycle.Catalog: a thread-safe Lazy<T> runs its factory under this lock",
    };

    public override void Start()
    {
        var first = Run("settings-user", () => CpuLoop.Sink = Settings.Value.Length);
        var second = Run("catalog-user", () => CpuLoop.Sink = Catalog.Value.Length);
        WaitUntil(() => Volatile.Read(ref s_started) == 2);
        WaitUntilBlocked(first, second);
    }

    private static string ReadCatalog() => Catalog.Value;

    private static string Load(string what)
    {
        // Both factories are running before either reads the other's value.
        if (Interlocked.Increment(ref s_started) == 2)
        {
            BothStarted.Set();
        }

        BothStarted.Wait();
        return what;
    }
}
