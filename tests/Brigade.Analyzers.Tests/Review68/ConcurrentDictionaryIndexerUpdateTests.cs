using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2002LostUpdateAnalyzer>;

namespace Brigade.Analyzers.Tests.Review68;

// Review 68 (found by its probes). `counts[word]++` on a ConcurrentDictionary is a read (the indexer's get) and then a
// write (its set), each atomic, the update not: two threads read 3 and both store 4. It was not reported (a concurrent
// collection), though the rule reads `++` and compound assignments of a field or property. Now `++`, `--`, `+=` ... and a
// store whose value reads the same dictionary (`counts[w] = counts[w] + 1`, `counts.GetValueOrDefault(w) + 1`) through
// its indexer are reported. Not reported, and right: AddOrUpdate, a plain store (`counts[w] = 1`, last writer wins),
// TryAdd/GetOrAdd, a lock around the update, a dictionary declared in the body, a key that is Parallel.For's index (one
// iteration per key: the partitioned write arrays are left alone for).
public sealed class ConcurrentDictionaryIndexerUpdateTests
{
    [Fact]
    public Task Reports_read_modify_writes_through_a_concurrent_dictionarys_indexer() => Verifier.AnalyzerAsync(
        """
        class Words
        {
            private readonly ConcurrentDictionary<string, int> _counts = new();
            private static readonly ConcurrentDictionary<string, long> s_bytes = new();
            private readonly object _gate = new();

            public void Count(string[] words)
            {
                var lengths = new ConcurrentDictionary<int, int>();
                Parallel.ForEach(words, w =>
                {
                    {|#0:_counts[w]++|};
                    {|#1:s_bytes[w] += w.Length|};
                    {|#2:lengths[w.Length] = lengths.GetValueOrDefault(w.Length) + 1|};
                    _counts.AddOrUpdate(w, 1, (_, n) => n + 1);
                    _counts[w] = 1;
                    lengths.TryAdd(w.Length, 0);
                    s_bytes.GetOrAdd(w, 0);
                    lock (_gate) { _counts[w]--; }
                    var mine = new ConcurrentDictionary<string, int>();
                    mine[w]++;
                });
                Parallel.For(0, words.Length, i => lengths[i] += words[i].Length);
                Parallel.For(0, words.Length, i => {|#3:lengths[words[i].Length]++|});
            }
        }
        """,
        Verifier.Diagnostic().WithLocation(0).WithArguments("_counts[...]", "incremented through the ConcurrentDictionary indexer (a read, then a write; AddOrUpdate does both in one step)", "Parallel.ForEach"),
        Verifier.Diagnostic().WithLocation(1).WithArguments("s_bytes[...]", "updated with += through the ConcurrentDictionary indexer (a read, then a write; AddOrUpdate does both in one step)", "Parallel.ForEach"),
        Verifier.Diagnostic().WithLocation(2).WithArguments("lengths[...]", "assigned from its own value through the ConcurrentDictionary indexer (a read, then a write; AddOrUpdate does both in one step)", "Parallel.ForEach"),
        Verifier.Diagnostic().WithLocation(3).WithArguments("lengths[...]", "incremented through the ConcurrentDictionary indexer (a read, then a write; AddOrUpdate does both in one step)", "Parallel.For"));
}
