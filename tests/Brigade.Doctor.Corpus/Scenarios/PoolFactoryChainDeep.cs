using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Review 59: a <c>ConcurrentDictionary.GetOrAdd</c> value factory walks a rule tree a few hundred frames deep (more than
/// the doctor keeps per thread), then blocks on an async load whose continuation enters the same factory for the same
/// key: each pool thread waits for the next one's, the last for its continuation, queued, with the pool at its cap. The
/// frames that show which task each thread runs, and that it is a pool thread at all, are below the frames kept.
/// </summary>
public sealed class PoolFactoryChainDeep : Scenario
{
    private const int Workers = 4;
    private static readonly ConcurrentDictionary<string, decimal> Prices = new(StringComparer.Ordinal);

    public override string Name => "pool-factory-chain-deep";

    public override Expectation Expected => new(Finding.ThreadPoolStarvation) { SyncOverAsyncPoolThreads = Workers };

    public override void Start()
    {
        ThreadPool.GetMaxThreads(out _, out var io);
        ThreadPool.SetMaxThreads(Workers, io);
        ThreadPool.QueueUserWorkItem(_ => Get("sku-42"));
        WaitUntil(() => ThreadPool.ThreadCount >= Workers && ThreadPool.PendingWorkItemCount > 0 && Prices.IsEmpty);
    }

    private static decimal Get(string sku) => Prices.GetOrAdd(sku, s => ApplyRules(s, 0));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static decimal ApplyRules(string sku, int depth) =>
        depth < 300 ? ApplyRules(sku, depth + 1) * 1.0m : LoadBasePriceAsync(sku).GetAwaiter().GetResult();

    private static async Task<decimal> LoadBasePriceAsync(string sku)
    {
        await Task.Yield();
        return Get(sku);
    }
}
