using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2004AsyncLambdaToSyncParallelApiAnalyzer>;

namespace Brigade.Analyzers.Tests.Review63;

// Review 63: an async lambda given to a timer is async void too. System.Threading.Timer's TimerCallback and a
// System.Timers.Timer Elapsed handler run on the thread pool: an exception thrown after the lambda's first await has no
// synchronization context to go to and crashes the process (a hosted service's poller, a Blazor clock whose
// InvokeAsync throws once the component is disposed). Neither was reported. Not reported, and right: the whole body
// after the first await in a try with a catch-all that does not rethrow (the usual fix), an Elapsed handler of a timer
// marshalled to a UI object (SynchronizingObject: the UI's context gets the exception, as for a Click handler), and
// TimerCallbacks that are not async. An async void method group is read the same way.
public sealed class BRG2004TimerTests
{
    [Fact]
    public Task Reports_an_async_TimerCallback() => Verifier.AnalyzerAsync(
        """
        class C
        {
            static Task SaveAsync() => Task.Delay(1);
            Timer M() => new Timer({|#0:async _ =>|} { await SaveAsync(); throw new InvalidOperationException(); }, null, 0, 1000);
        }
        """,
        Verifier.Diagnostic().WithLocation(0).WithArguments(
            "lambda", "new Timer(...)", "the timer's callback returns at the lambda's first await",
            "a try with a catch-all (catch (Exception)) around the whole body after the first await, or as the whole body of an async method it awaits, or a loop over a PeriodicTimer (await timer.WaitForNextTickAsync())"));

    [Fact]
    public Task Reports_Elapsed_handlers_and_work_items_but_not_caught_or_marshalled_ones() => Verifier.AnalyzerAsync(
        """
        class Poller
        {
            static Task SaveAsync() => Task.Delay(1);
            readonly System.Timers.Timer _timer = new(1000);

            void Start()
            {
                _timer.Elapsed += [|async (s, e) =>|] await SaveAsync();
                var t = new System.Threading.Timer([|async state =>|] await SaveAsync());
                ThreadPool.QueueUserWorkItem([|async _ =>|] { try { await SaveAsync(); } finally { Console.WriteLine(); } });

                // Everything after the first await is caught, and not rethrown.
                _timer.Elapsed += async (s, e) => { try { await SaveAsync(); } catch (Exception ex) { Console.WriteLine(ex); } };
                var u = new Timer(async _ => { Console.WriteLine(); try { await SaveAsync(); } catch { } }, null, 0, 10);
                ThreadPool.QueueUserWorkItem(async _ => { try { await SaveAsync(); } catch (Exception) { } });
                var v = new Timer([|async _ =>|] { try { await SaveAsync(); } catch (Exception) { throw; } }, null, 0, 10);
                var w = new Timer([|async _ =>|] { try { await SaveAsync(); } catch (InvalidOperationException) { } }, null, 0, 10);
                var x = new Timer(_ => SaveAsync().Wait(), null, 0, 10);
                var y = new Timer([|OnTick|], null, 0, 10);
                var z = new Timer(OnTickCaught, null, 0, 10);
            }

            async void OnTick(object? state) => await SaveAsync();

            async void OnTickCaught(object? state)
            {
                try
                {
                    await SaveAsync();
                }
                catch (Exception ex)
                {
                    Console.WriteLine(ex);
                }
            }
        }

        class Form : System.ComponentModel.ISynchronizeInvoke
        {
            static Task SaveAsync() => Task.Delay(1);
            readonly System.Timers.Timer _refresh = new(500);

            public bool InvokeRequired => false;
            public IAsyncResult BeginInvoke(Delegate method, object?[]? args) => throw new NotSupportedException();
            public object? EndInvoke(IAsyncResult result) => null;
            public object? Invoke(Delegate method, object?[]? args) => null;

            void Start()
            {
                _refresh.SynchronizingObject = this;
                _refresh.Elapsed += async (s, e) => await SaveAsync();
            }
        }
        """);
}
