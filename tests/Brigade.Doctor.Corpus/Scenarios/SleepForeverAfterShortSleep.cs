namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 72 (fresh71's repros): a thread that sleeps 10 ms in one branch and <c>Thread.Sleep(Timeout.Infinite)</c>
/// at its end, as the user's <c>Main</c> did, parked in the latter. No pitfall; "Other blocked threads" must name its wait
/// <c>Thread.Sleep(Timeout.Infinite)</c> (before: a plain <c>Thread.Sleep</c>, every call had to pass an infinite timeout).</summary>
public sealed class SleepForeverAfterShortSleep : Scenario
{
    private static volatile bool _parking;

    public override string Name => "sleep-forever-after-short-sleep";

    public override Expectation Expected => new(Finding.None) { TextContains = "'parked'" };

    public override void Start()
    {
        var parked = Run("parked", () => Park(shortFirst: Environment.ProcessorCount > 0));
        WaitUntil(() => _parking);
        WaitUntilBlocked(parked);
    }

    private static void Park(bool shortFirst)
    {
        if (shortFirst)
        {
            Thread.Sleep(10);
        }

        _parking = true;
        Thread.Sleep(Timeout.Infinite);
    }
}
