using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2002LostUpdateAnalyzer>;

namespace Brigade.Analyzers.Tests.Review68;

// Review 68 (found by its probes of users' code). A Task.Run in a loop whose task is waited for before the iteration
// ends runs one body at a time, as `await Task.Run(...)` does (review 48): `var t = Task.Run(...); await t;` (a local
// awaited or waited for by a statement of the same block, with no jump between), `Task.Run(...).Wait()` and
// `.GetAwaiter().GetResult()`, `Task.Run(...).Result`. Their writes were reported as racing with the next iteration's.
// Still reported: a task waited for with a timeout (it may still run), a wait after a `continue`/`break` that may skip it,
// a wait in another block (a branch), a task also kept in a list the loop awaits later.
public sealed class TaskRunWaitedInLoopTests
{
    [Fact]
    public Task Leaves_a_task_waited_for_in_its_own_iteration_alone() => Verifier.AnalyzerAsync(
        """
        class Jobs
        {
            private int _done;

            public async Task<int> RunAsync(string[] files, CancellationToken ct)
            {
                var processed = 0;
                foreach (var f in files)
                {
                    var t = Task.Run(() => { processed++; _done++; });
                    Console.WriteLine(f);
                    await t;
                }

                for (var i = 0; i < files.Length; i++)
                {
                    var t = Task.Run(() => processed += 2, ct);
                    await t.ConfigureAwait(false);
                    Task.Run(() => processed++).Wait();
                    Task.Run(() => { _done++; }).Wait(ct);
                    Task.Run(() => { _done++; }).GetAwaiter().GetResult();
                    Task.Run(() => _done++).ConfigureAwait(false).GetAwaiter().GetResult();
                    var n = Task.Run(() => ++processed).Result;
                    var u = Task.Run(() => _done++);
                    var m = await u;
                    Task w;
                    w = Task.Run(() => { _done--; });
                    w.Wait();
                }

                return processed;
            }
        }
        """);

    [Fact]
    public Task Reports_a_task_that_may_outlive_its_iteration() => Verifier.AnalyzerAsync(
        """
        class Jobs
        {
            private int _done;

            public async Task<int> RunAsync(string[] files, bool skip)
            {
                var processed = 0;
                var all = new List<Task>();
                foreach (var f in files)
                {
                    var t = Task.Run(() => { [|processed++|]; });
                    if (skip) continue;
                    await t;
                }

                foreach (var f in files)
                {
                    var t = Task.Run(() => [|_done++|]);
                    t.Wait(100);
                }

                foreach (var f in files)
                {
                    var t = Task.Run(() => [|_done--|]);
                    if (f.Length > 3) { await t; }
                }

                foreach (var f in files)
                {
                    var t = Task.Run(() => [|processed--|]);
                    all.Add(t);
                    await Task.Delay(1);
                }

                await Task.WhenAll(all);
                return processed;
            }
        }
        """);
}
