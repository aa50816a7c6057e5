namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 72 (fresh71's livelock-tryenter-literal): two threads each hold one lock and retry the other's with
/// <c>Monitor.TryEnter(other, 30_000)</c>, a literal at the call, letting go of their own between tries. Each wait gives
/// up, so this is no deadlock: threads retrying each other's locks, a possible livelock (BRG1007). Before, the doctor read
/// it as <see cref="TimedTryEnterPair"/> (a TimeSpan variable, which it still must): "Deadlock detected ... with a timeout the
/// dump cannot show", though the IL at the call has it.</summary>
public sealed class LiteralTryEnterRetry : Scenario
{
    private static readonly object Left = new();
    private static readonly object Right = new();

    public override string Name => "literal-try-enter-retry";

    public override Expectation Expected => new(Finding.Livelock) { Cycles = [["alice", "bob"]], WaitKinds = ["Monitor"] };

    public override void Start()
    {
        var bothHold = new Barrier(2);
        var alice = Run("alice", () => Polite(Left, Right, bothHold));
        var bob = Run("bob", () => Polite(Right, Left, bothHold));
        WaitUntil(() => bothHold.CurrentPhaseNumber > 0);
        WaitUntilBlocked(alice, bob);
    }

    private static void Polite(object mine, object theirs, Barrier bothHold)
    {
        var first = true;
        while (true)
        {
            lock (mine)
            {
                if (first)
                {
                    first = false;
                    bothHold.SignalAndWait();
                }

                if (Monitor.TryEnter(theirs, 30_000))
                {
                    Monitor.Exit(theirs);
                    return;
                }
            }

            Thread.Sleep(1);
        }
    }
}
