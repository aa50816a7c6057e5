namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Correct twin: a static constructor is slow (it sleeps) and a second thread waits for it: it will end; no cycle.</summary>
public sealed class SlowTypeInitializer : Scenario
{
    private static int s_secondTouching;

    public override string Name => "twin-slow-type-initializer";

    public override Expectation Expected => new(Finding.None)
    {
        // The owner, worded as a cycle words it (review 28, N1): a static constructor runs on a thread, it is not held.
        TextContains = ", which runs on thread 'first-reader'",
    };

    public override void Start()
    {
        var first = Run("first-reader", () => _ = Catalog.Size);
        WaitUntilBlocked(first);
        Run("second-reader", () =>
        {
            Volatile.Write(ref s_secondTouching, 1);
            _ = Catalog.Size;
        });
        WaitUntil(() => Volatile.Read(ref s_secondTouching) == 1);
    }

    private static class Catalog
    {
        public static readonly int Size;

        static Catalog()
        {
            Thread.Sleep(TimeSpan.FromHours(1));
            Size = 1;
        }
    }
}
