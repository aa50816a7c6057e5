using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2003BlockingOnThreadPoolAnalyzer>;

namespace Brigade.Analyzers.Tests.Review66b;

// Review 66b. `.Result`, `.Wait()` and `GetAwaiter().GetResult()` in a synchronous method of an Orleans grain (a class
// deriving from Orleans.Grain or implementing Orleans.IGrainBase) were not reported: a grain is not a pool body, but
// Orleans runs one turn of an activation at a time, so the wait holds the activation (no other call to it runs) and
// deadlocks when the awaited call needs the grain. Not reported, and right: a task complete when made
// (`Task.FromResult(...).Result`), a static method of the grain (called from anywhere), a sleep (the synchronous model, as
// in a synchronous request method), a class that is no grain.
public sealed class GrainSynchronousWaitTests
{
    [Fact]
    public Task Reports_task_waits_in_synchronous_grain_methods() => Verifier.AnalyzerAsync(
        """
        namespace Orleans
        {
            public interface IGrainBase { }
            public interface IGrainWithStringKey { }
            public abstract class Grain : IGrainBase { }
        }
        namespace Shop
        {
            using Orleans;

            public interface ISlowGrain : IGrainWithStringKey { Task<string> Blocking(); }

            public sealed class SlowGrain : Grain, ISlowGrain
            {
                public Task<string> Blocking() => Task.FromResult({|#0:LoadAsync().Result|});
                public Task Save() { {|#1:LoadAsync().Wait()|}; return Task.CompletedTask; }
                private string Helper() => {|#2:LoadAsync().GetAwaiter().GetResult()|};
                public Task<string> Done() => Task.FromResult(Task.FromResult("x").Result);
                public Task Nap() { Thread.Sleep(1); return Task.CompletedTask; }
                public static string Anywhere() => LoadAsync().Result;
                private static async Task<string> LoadAsync() { await Task.Yield(); return "x"; }
            }

            public sealed class PocoGrain : IGrainBase
            {
                public Task<string> Get() => Task.FromResult({|#3:Load().Result|});
                private static async Task<string> Load() { await Task.Yield(); return "y"; }
            }

            public sealed class NotAGrain
            {
                public string Get() => Load().Result;
                private static async Task<string> Load() { await Task.Yield(); return "z"; }
            }
        }
        """,
        Verifier.Diagnostic().WithLocation(0).WithArguments("Task.Result", Turn("SlowGrain.Blocking"), Advice),
        Verifier.Diagnostic().WithLocation(1).WithArguments("Task.Wait", Turn("SlowGrain.Save"), Advice),
        Verifier.Diagnostic().WithLocation(2).WithArguments("GetAwaiter().GetResult()", Turn("SlowGrain.Helper"), Advice),
        Verifier.Diagnostic().WithLocation(3).WithArguments("Task.Result", Turn("PocoGrain.Get"), Advice));

    private const string Advice = "await its asynchronous form instead (make the grain method async)";

    private static string Turn(string method) =>
        "the grain activation's turn in the Orleans grain method " + method + ": no other call to the grain runs until it returns, and it deadlocks if the task needs the grain";
}
