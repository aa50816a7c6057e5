using V2003 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2003BlockingOnThreadPoolAnalyzer>;

namespace Brigade.Analyzers.Tests.Review56;

// Review 56: BRG2003 knew SemaphoreSlim.Wait, ManualResetEventSlim.Wait and WaitHandle.WaitOne but not a condition wait
// (Monitor.Wait: disruptor-net's BlockingWaitStrategy run through Task.Run was not reported, review 54) nor a consumer
// taking from a BlockingCollection, both of which hold a pool thread until another thread acts. A zero timeout only tries,
// and TryTake without a timeout returns at once: neither is reported.
public sealed class ConditionAndQueueWaitTests
{
    [Fact]
    public async Task BRG2003_reports_condition_waits_and_blocking_takes_on_the_pool()
    {
        await V2003.AnalyzerAsync("""
            using System.Collections.Concurrent;

            class C
            {
                readonly object gate = new();
                readonly BlockingCollection<int> queue = new();

                Task Condition() => Task.Run(() => { lock (gate) { [|Monitor.Wait(gate)|]; } });

                Task ConditionWithTimeout() => Task.Run(() => { lock (gate) { [|Monitor.Wait(gate, 100)|]; } });

                Task Take() => Task.Run(() => Console.WriteLine([|queue.Take()|]));

                Task Consume() => Task.Run(() => { foreach (var x in [|queue.GetConsumingEnumerable()|]) { Console.WriteLine(x); } });

                Task TryTakeWaiting() => Task.Run(() => [|queue.TryTake(out var x, TimeSpan.FromSeconds(1))|]);

                async Task InAsync() { var x = [|queue.Take()|]; await Task.Yield(); }
            }
            """);
    }

    [Fact]
    public async Task BRG2003_does_not_report_tries_nor_waits_on_a_dedicated_thread()
    {
        await V2003.AnalyzerAsync("""
            using System.Collections.Concurrent;

            class C
            {
                readonly object gate = new();
                readonly BlockingCollection<int> queue = new();

                Task Poll() => Task.Run(() => { lock (gate) { Monitor.Wait(gate, 0); } });

                Task TryTake() => Task.Run(() => queue.TryTake(out var x));

                Task TryTakeZero() => Task.Run(() => queue.TryTake(out var x, 0));

                Task Add() => Task.Run(() => queue.Add(1));

                Task Dedicated() => Task.Factory.StartNew(() => { foreach (var x in queue.GetConsumingEnumerable()) { Console.WriteLine(x); } }, TaskCreationOptions.LongRunning);

                void OwnThread() => new Thread(() => { lock (gate) { Monitor.Wait(gate); } }).Start();

                int Synchronous() => queue.Take();
            }
            """);
    }
}
