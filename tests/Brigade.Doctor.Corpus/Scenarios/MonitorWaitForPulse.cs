namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>A consumer waits in <c>Monitor.Wait</c> for a pulse that never comes.</summary>
public sealed class MonitorWaitForPulse : Scenario
{
    private static readonly Queue<int> Work = new();

    public override string Name => "monitor-wait";

    public override Expectation Expected => new(Finding.None) { Blocked = ["consumer"], WaitKinds = ["MonitorWait"] };

    public override void Start() => WaitUntilBlocked(Run("consumer", () =>
    {
        lock (Work)
        {
            while (Work.Count == 0)
            {
                Monitor.Wait(Work);
            }
        }
    }));
}
