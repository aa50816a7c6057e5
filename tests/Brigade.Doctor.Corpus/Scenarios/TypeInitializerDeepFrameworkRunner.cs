using System.Collections.Concurrent;

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Correct twin (review 29d F4): <see cref="TypeInitializerDeepRunner"/> with the static constructor deep in the
/// framework's recursion: it reads a queue through 300 nested LINQ iterators and waits for an item (a timer adds one in an
/// hour), so the frames kept for that thread are all the framework's and it looks idle. It may still run the static
/// constructor the lock holder waits for: no owner is named, and the wait for the lock closes no cycle.</summary>
public sealed class TypeInitializerDeepFrameworkRunner : Scenario
{
    private static readonly object Sync = new();
    private static readonly ManualResetEventSlim Holding = new();
    private static readonly BlockingCollection<int> Queue = [];
    private static Timer? s_feeder;
    private static int s_touching;
    private static int s_deep;

    public override string Name => "twin-type-initializer-deep-framework-runner";

    public override Expectation Expected => new(Finding.None) { TextContains = "frames deep, the outer ones not read" };

    public override void Start()
    {
        s_feeder = new Timer(_ => Queue.Add(1), null, TimeSpan.FromHours(1), Timeout.InfiniteTimeSpan);
        var deep = Run("deep-init", () => _ = Deep.Value);
        WaitUntil(() => Volatile.Read(ref s_deep) == 1);
        WaitUntilBlocked(deep);
        var holder = Run("lock-holder", () =>
        {
            lock (Sync)
            {
                Holding.Set();
                Volatile.Write(ref s_touching, 1);
                _ = Deep.Value;
            }
        });
        Holding.Wait();
        var locking = Run("locking-init", () => _ = Locking.Value);
        WaitUntilBlocked(locking);
        WaitUntil(() => Volatile.Read(ref s_touching) == 1);
        GC.KeepAlive(holder);
        GC.KeepAlive(s_feeder);
    }

    private static class Deep
    {
        public static readonly int Value = Load();

        private static int Load()
        {
            IEnumerable<int> items = Queue.GetConsumingEnumerable();
            for (var i = 0; i < 300; i++)
            {
                items = items.Select(static (x, _) => x);
            }

            Volatile.Write(ref s_deep, 1);
            return items.First();
        }
    }

    private static class Locking
    {
        public static readonly int Value;

        static Locking()
        {
            lock (Sync)
            {
                Value = 1;
            }
        }
    }
}
