namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 48 (left by review 47): a <c>Parallel.ForEach</c> over 50 items with <c>MaxDegreeOfParallelism = 2</c>
/// whose items wait on a <c>ManualResetEventSlim</c> that the last item sets: both bodies the loop runs wait, so the item
/// that would set the event never starts. Listed (an event has no owner), and now tied to the one loop. Before: the two
/// threads listed one by one, "no owner to blame".</summary>
public sealed class ParallelForEachBodiesWaitForLaterItem : Scenario
{
    private static readonly ManualResetEventSlim HeaderReady = new();
    private static int s_waiting;

    public override string Name => "parallel-foreach-bodies-wait-for-later-item";

    public override Expectation Expected => new(Finding.None)
    {
        Blocked = ["batch"],
        WaitKinds = ["ManualResetEventSlim"],
        TextContains = "run bodies (Brigade.Doctor.Corpus.Scenarios.ParallelForEachBodiesWaitForLaterItem",
    };

    public override void Start()
    {
        var batch = Run("batch", () => Parallel.ForEach(Enumerable.Range(0, 50).ToArray(), new ParallelOptions { MaxDegreeOfParallelism = 2 }, Process));
        WaitUntil(() => Volatile.Read(ref s_waiting) == 2);
        WaitUntilBlocked(batch);
    }

    private static void Process(int item)
    {
        if (item == 49)
        {
            HeaderReady.Set();
            return;
        }

        Interlocked.Increment(ref s_waiting);
        HeaderReady.Wait();
    }
}
