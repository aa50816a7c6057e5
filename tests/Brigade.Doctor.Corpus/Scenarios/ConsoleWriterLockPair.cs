namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Audit 4: <c>Console.Error.WriteLine(wallet)</c> calls <c>wallet.ToString()</c> under the console writer's lock,
/// and <c>ToString()</c> takes the wallet's lock; a deposit writes to the console under the wallet's lock. An ABBA whose
/// first lock is <c>Console.Out</c>, which the doctor named "a local of ...Deposit".</summary>
public sealed class ConsoleWriterLockPair : Scenario
{
    private static int _formatting;

    public override string Name => "console-writer-lock-pair";

    public override Expectation Expected => new(Finding.Deadlock)
    {
        Cycles = [["deposits", "status"]],
        WaitKinds = ["Monitor"],
        HeldIn = "Console.Error: Console.Write and WriteLine hold its lock while they format their arguments, a ToString() included",
    };

    public override void Start()
    {
        var wallet = new Wallet();
        var deposits = Run("deposits", () => wallet.Deposit(5));
        WaitUntil(() => Volatile.Read(ref wallet.Holding) == 1);
        var status = Run("status", () => Console.Error.WriteLine(wallet));
        WaitUntil(() => Volatile.Read(ref _formatting) == 1);
        wallet.Go.Set();
        WaitUntilBlocked(deposits, status);
    }

    private sealed class Wallet : IDisposable
    {
        public readonly ManualResetEventSlim Go = new();
        public int Holding;
        private readonly object _sync = new();
        private long _balance;

        public void Dispose() => Go.Dispose();

        public void Deposit(long amount)
        {
            lock (_sync)
            {
                _balance += amount;
                Volatile.Write(ref Holding, 1);
                Go.Wait();
                Console.Error.WriteLine("deposit");
            }
        }

        public override string ToString()
        {
            Volatile.Write(ref _formatting, 1);
            lock (_sync)
            {
                return $"balance {_balance}";
            }
        }
    }
}
