namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>A thread waits on an <c>AutoResetEvent</c> (a kernel wait handle) nobody sets.</summary>
public sealed class AutoResetEventWait : Scenario
{
    private static readonly AutoResetEvent Signal = new(false);

    public override string Name => "waithandle-wait";

    public override Expectation Expected => new(Finding.None) { Blocked = ["handle-waiter"], WaitKinds = ["WaitHandle"] };

    public override void Start() => WaitUntilBlocked(Run("handle-waiter", () => Signal.WaitOne()));
}
