using System.Collections.Concurrent;

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>A consumer in <c>foreach (... in GetConsumingEnumerable())</c> on a collection whose producer finished without
/// calling <c>CompleteAdding()</c>: the loop never ends. Before: <c>SemaphoreSlim.Wait ... count 0</c>. No pitfall (the
/// dump cannot tell a finished producer from one that is about to add), but the wait says that the collection is empty,
/// that no thread is adding to it, and that a loop over <c>GetConsumingEnumerable</c> ends only with <c>CompleteAdding</c>.
/// Review 61 added a second collection, of lines, whose producer task threw before its <c>CompleteAdding()</c> while the
/// importer waits: the wait names that task and its exception (before: only "no thread is adding to it now").</summary>
public sealed class BlockingCollectionEmptyNoProducer : Scenario
{
    private static readonly BlockingCollection<int> Jobs = [];
    private static readonly BlockingCollection<string> Lines = [];
    private static Task? _import;

    public override string Name => "blocking-collection-empty-no-producer";

    public override Expectation Expected => new(Finding.None)
    {
        Blocked = ["consumer"],
        WaitKinds = ["SemaphoreSlim"],
        TextContains = "waits in BlockingCollection.GetConsumingEnumerable on System.Collections.Concurrent.BlockingCollection<System.Int32> (static field Brigade.Doctor.Corpus.Scenarios.BlockingCollectionEmptyNoProducer.Jobs), empty",
    };

    public override void Start()
    {
        var producer = Run("producer", () =>
        {
            for (var i = 0; i < 10; i++)
            {
                Jobs.Add(i);
            }

            // Missing: Jobs.CompleteAdding();
        });
        var consumer = Run("consumer", () =>
        {
            foreach (var job in Jobs.GetConsumingEnumerable())
            {
                CpuLoop.Sink = job;
            }
        });
        _import = Task.Run(() =>
        {
            Lines.Add("sku;qty");
            Lines.Add("a1;2");
            throw new FormatException("line 3 is not CSV");
#pragma warning disable CS0162 // The bug: an exception skips it.
            Lines.CompleteAdding();
#pragma warning restore CS0162
        });
        var importer = Run("importer", () =>
        {
            foreach (var line in Lines.GetConsumingEnumerable())
            {
                CpuLoop.Sink = line.Length;
            }
        });
        producer.Join();
        WaitUntil(() => Jobs.Count == 0 && Lines.Count == 0 && _import.IsFaulted);
        WaitUntilBlocked(consumer, importer);
    }
}
