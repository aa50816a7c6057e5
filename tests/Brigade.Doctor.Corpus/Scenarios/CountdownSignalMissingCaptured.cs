namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 44: a <c>CountdownEvent(3)</c> in a captured local, one of its three importers failing before it
/// signals. Before: the wait read <c>CountdownEvent.Wait on System.Threading.ManualResetEventSlim (field
/// System.Threading.CountdownEvent._event), not set</c>: the Wait frame did not root the CountdownEvent (only its event).
/// Listed, no pitfall (any code may signal), with the count of signals missing.</summary>
public sealed class CountdownSignalMissingCaptured : Scenario
{
    public override string Name => "countdown-signal-missing-captured";

    public override Expectation Expected => new(Finding.None)
    {
        Blocked = ["report"],
        WaitKinds = ["ManualResetEventSlim"],
        TextContains = "waits in CountdownEvent.Wait on System.Threading.CountdownEvent (captured variable 'done' in Brigade.Doctor.Corpus.Scenarios.CountdownSignalMissingCaptured), 1 of 3 signals still missing",
    };

    public override void Start()
    {
        var done = new CountdownEvent(3);
        var importers = Enumerable.Range(0, 3).Select(n => Run($"importer-{n}", () =>
        {
            try
            {
                if (n == 2)
                {
                    throw new InvalidOperationException("bad file");
                }

                done.Signal();
            }
            catch (InvalidOperationException)
            {
                // The failed import never signals.
            }
        })).ToArray();
        foreach (var importer in importers)
        {
            importer.Join();
        }

        var report = Run("report", () => done.Wait());
        WaitUntilBlocked(report);
    }
}
