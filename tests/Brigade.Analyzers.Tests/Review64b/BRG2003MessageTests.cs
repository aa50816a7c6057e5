using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2003BlockingOnThreadPoolAnalyzer>;

namespace Brigade.Analyzers.Tests.Review64b;

// Review 64b: BRG2003 said "'Task.Result' blocks a thread-pool thread in an async lambda" of a `.Result` in an async UI
// event handler (`button.Click += async (s, e) => ...`), which the UI thread runs: there it freezes the window, and
// deadlocks when the task needs that thread. An async function not given to a pool API runs on its caller's thread and,
// after an await, on the context it captured: which one is not known, and the message now says so. A body the pool runs
// (Task.Run, a timer's callback, a minimal-API handler) keeps "a thread-pool thread".
public sealed class BRG2003MessageTests
{
    [Fact]
    public Task Says_which_thread_blocks_for_each_kind_of_body() => Verifier.AnalyzerAsync(
        """
        sealed class Form
        {
            public event EventHandler? Click;

            static Task<int> LoadAsync() => Task.Delay(1).ContinueWith(_ => 1);

            void Wire()
            {
                Click += async (s, e) => { var n = {|#0:LoadAsync().Result|}; await Task.Yield(); };
                Task.Run(() => {|#1:LoadAsync().Result|});
                _ = new Timer(async _ => { {|#2:LoadAsync().Wait()|}; await Task.Yield(); }, null, 0, 1000);
            }

            async void OnClick(object? sender, EventArgs e)
            {
                {|#3:LoadAsync().Wait()|};
                await Task.Yield();
            }

            async Task LocalAsync()
            {
                async Task InnerAsync() => {|#4:Thread.Sleep(1)|};
                await InnerAsync();
            }
        }
        """,
        Verifier.Diagnostic().WithLocation(0).WithArguments("Task.Result", Unknown("async lambda"), AwaitIt),
        Verifier.Diagnostic().WithLocation(1).WithArguments("Task.Result", "a thread-pool thread in a body of Task.Run", AwaitOrThreads),
        Verifier.Diagnostic().WithLocation(2).WithArguments("Task.Wait", "a thread-pool thread in a body of new Timer(...)", AwaitOrThreads),
        Verifier.Diagnostic().WithLocation(3).WithArguments("Task.Wait", Unknown("async method"), AwaitIt),
        Verifier.Diagnostic().WithLocation(4).WithArguments("Thread.Sleep", Unknown("async local function"), AwaitIt));

    private const string AwaitOrThreads = "await its asynchronous form, or give blocking work to dedicated threads (Brigade's Engine.Threads)";

    private const string AwaitIt = "await its asynchronous form instead";

    private static string Unknown(string function) =>
        "the thread that runs the " + function + ": its caller's or, after an await, the captured context's (a UI thread, which it freezes, and deadlocks if the task needs that thread) or a thread-pool thread";
}
