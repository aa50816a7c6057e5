namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 45: an ABBA between a ledger's <c>lock (this)</c> and its journal's lock, both threads started with a
/// method group (<c>Run("poster", ledger.Post)</c>), so the only thing that refers to the ledger besides the frames' own
/// <c>this</c> is the delegate. Before: the ledger was named <c>field System.Action._target</c>; now by the method the
/// delegate was made from.</summary>
public sealed class MethodGroupThisLockPair : Scenario
{
    public override string Name => "method-group-this-lock-pair";

    public override Expectation Expected => new(Finding.Deadlock)
    {
        Cycles = [["poster", "flusher"]],
        WaitKinds = ["Monitor"],
        TextContains = "the target of the delegate Brigade.Doctor.Corpus.Scenarios.MethodGroupThisLockPair.Ledger.",
    };

    public override void Start()
    {
        var ledger = new Ledger();
        var poster = Run("poster", ledger.Post);
        var flusher = Run("flusher", ledger.Flush);
        WaitUntil(() => ledger.BothHold.CurrentPhaseNumber > 0);
        WaitUntilBlocked(poster, flusher);
    }

    private sealed class Ledger
    {
        private readonly object _journal = new();

        public Barrier BothHold { get; } = new(2);

        public void Post()
        {
            lock (this)
            {
                BothHold.SignalAndWait();
                lock (_journal)
                {
                }
            }
        }

        public void Flush()
        {
            lock (_journal)
            {
                BothHold.SignalAndWait();
                lock (this)
                {
                }
            }
        }
    }
}
