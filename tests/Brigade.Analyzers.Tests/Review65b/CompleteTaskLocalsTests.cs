using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2003BlockingOnThreadPoolAnalyzer>;

namespace Brigade.Analyzers.Tests.Review65b;

// Review 65b: in a synchronous controller action, `var done = Task.FromResult(42); var a = done.Result;`,
// `new ValueTask<int>(7).Result` and `ValueTask<int> v = new(5); v.Result` were reported ("'Task.Result' blocks a
// thread-pool thread in the ASP.NET Core controller action ..."): the task is complete when it is made and reading its
// result never blocks. Only `Task.FromResult(1).Result` written in place was known. Now a `ValueTask` made from a value,
// and a local whose only value is such a task, are complete too. Still reported: a local assigned again from a real
// task, a local passed by `ref`/`out`.
public sealed class CompleteTaskLocalsTests
{
    [Fact]
    public Task Does_not_report_results_of_tasks_complete_when_made_through_locals() => Verifier.AnalyzerAsync(
        """
        namespace Microsoft.AspNetCore.Mvc { public abstract class ControllerBase { } }
        namespace Shop
        {
            using Microsoft.AspNetCore.Mvc;

            static class Remote
            {
                public static async Task<int> LoadAsync() { await Task.Yield(); return 1; }
                public static void Swap(ref Task<int> t) => t = LoadAsync();
            }

            sealed class OrdersController : ControllerBase
            {
                public int Sync()
                {
                    var done = Task.FromResult(42);
                    var a = done.Result;
                    var c = new ValueTask<int>(7).Result;
                    ValueTask<int> v = new(5);
                    var e = v.Result;
                    Task t = Task.CompletedTask;
                    t.Wait();
                    var f = Task.FromResult("x");
                    var g = f.GetAwaiter().GetResult();
                    return a + c + e + g.Length;
                }

                public int Reassigned()
                {
                    var t = Task.FromResult(1);
                    t = Remote.LoadAsync();
                    return [|t.Result|];
                }

                public int ByRef()
                {
                    var t = Task.FromResult(1);
                    Remote.Swap(ref t);
                    return [|t.Result|];
                }

                public int Real()
                {
                    var t = Remote.LoadAsync();
                    return [|t.Result|];
                }
            }
        }
        """);
}
