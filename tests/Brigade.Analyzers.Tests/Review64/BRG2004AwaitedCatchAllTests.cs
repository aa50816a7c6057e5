using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2004AsyncLambdaToSyncParallelApiAnalyzer>;

namespace Brigade.Analyzers.Tests.Review64;

// Review 64: `new Timer(async _ => await SafeTickAsync())`, where SafeTickAsync is an async method of the compilation
// whose whole body is a try with a catch-all, was reported: the catch-all was looked for only in the lambda's own block
// (an expression-bodied lambda was never read). An async method hands every exception of its body, also one before
// its first await, to its task; a task that cannot fault cannot throw at the await, so the async void lambda cannot
// crash the process there. Still reported, and right: a callee that is not async (its task may fault), one with a
// statement outside the try, a catch that rethrows, a virtual callee (an override runs), a statement after the await
// that is not caught, an argument or receiver that may throw (`_cts.Token` after Dispose), and loops (ending at the first
// await is the bug there).
public sealed class BRG2004AwaitedCatchAllTests
{
    [Fact]
    public Task Follows_an_awaited_async_method_whose_whole_body_catches_everything() => Verifier.AnalyzerAsync(
        """
        #nullable enable
        class Poller
        {
            readonly CancellationTokenSource _cts = new();
            readonly Worker _worker = new();
            int _ticks;

            async Task SafeTickAsync() { try { await Task.Delay(1); _ticks++; } catch (Exception ex) { Console.WriteLine(ex); } }
            async Task<int> SafeCountAsync() { try { await Task.Delay(1); return 1; } catch { return 0; } }
            static async Task SafeStaticAsync(object? state) { try { await Task.Delay(1); } catch (Exception) { } }
            async Task UnsafeTickAsync() => await Task.Delay(1);
            async Task PartlyAsync() { Console.WriteLine(); try { await Task.Delay(1); } catch { } }
            Task NotAsync() { try { return Task.Delay(1); } catch (Exception) { return Task.CompletedTask; } }
            async Task RethrowsAsync() { try { await Task.Delay(1); } catch (Exception) { throw; } }
            protected virtual async Task VirtualAsync() { try { await Task.Delay(1); } catch { } }
            async Task SafeWithAsync(CancellationToken token) { try { await Task.Delay(1, token); } catch (Exception) { } }

            void Start(int[] items)
            {
                var a = new Timer(async _ => await SafeTickAsync(), null, 0, 1000);
                var b = new Timer(async _ => await this.SafeTickAsync().ConfigureAwait(false), null, 0, 1000);
                var c = new Timer(async state => { await SafeStaticAsync(state); await _worker.SafeAsync(); }, null, 0, 1000);
                var d = new Timer(OnTick, null, 0, 1000);
                ThreadPool.QueueUserWorkItem(async _ => { Console.WriteLine(); await SafeTickAsync(); });
                var l = new Timer(async _ => { var n = await SafeCountAsync(); await LocalSafeAsync(); }, null, 0, 1000);

                var e = new Timer([|async _ =>|] await UnsafeTickAsync(), null, 0, 1000);
                var f = new Timer([|async _ =>|] await PartlyAsync(), null, 0, 1000);
                var g = new Timer([|async _ =>|] await NotAsync(), null, 0, 1000);
                var h = new Timer([|async _ =>|] await RethrowsAsync(), null, 0, 1000);
                var i = new Timer([|async _ =>|] await VirtualAsync(), null, 0, 1000);
                var j = new Timer([|async _ =>|] { var n = await SafeCountAsync(); Console.WriteLine(100 / n); }, null, 0, 1000);
                var k = new Timer([|async _ =>|] await SafeWithAsync(_cts.Token), null, 0, 1000);
                Parallel.ForEach(items, [|async x =>|] await SafeTickAsync());

                async Task LocalSafeAsync() { try { await Task.Delay(1); } catch (Exception) { } }
            }

            async void OnTick(object? state) => await SafeTickAsync();
        }

        sealed class Worker
        {
            public async Task SafeAsync() { try { await Task.Delay(1); } catch (Exception) { } }
        }
        """);
}
