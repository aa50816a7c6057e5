namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 37: two instances of one class, each locked through its own <c>_members</c> field, taken in opposite
/// orders (moving a user between two chat rooms). The report must tell the two locks apart.</summary>
public sealed class SameFieldLockPair : Scenario
{
    public override string Name => "same-field-lock-pair";

    public override Expectation Expected => new(Finding.Deadlock)
    {
        Cycles = [["move-lobby-games", "move-games-lobby"]],
        WaitKinds = ["Monitor"],
        HeldIn = "field Brigade.Doctor.Corpus.Scenarios.SameFieldLockPair.Room._members",
    };

    public override void Start()
    {
        var lobby = new Room();
        var games = new Room();
        var both = new Barrier(2);
        var t1 = Run("move-lobby-games", () => Room.Move(lobby, games, both));
        var t2 = Run("move-games-lobby", () => Room.Move(games, lobby, both));
        WaitUntil(() => both.CurrentPhaseNumber > 0);
        WaitUntilBlocked(t1, t2);
    }

    private sealed class Room
    {
        private readonly object _members = new();

        public static void Move(Room from, Room to, Barrier both)
        {
            lock (from._members)
            {
                both.SignalAndWait();
                lock (to._members)
                {
                }
            }
        }
    }
}
