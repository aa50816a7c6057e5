using V2003 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2003BlockingOnThreadPoolAnalyzer>;

namespace Brigade.Analyzers.Tests.Review46;

// Review 46 (left by review 45): vs-threading's `WithTimeout` (TplExtensions.cs:103) and MassTransit's
// `OrThrowIfOtherFails` are async helpers of the code base's own that return only once the task they are given is
// complete (`await Task.WhenAny(task, delay); if (...) throw ...; await task;`). Their callers read the result after
// awaiting them: `await WithTimeout(task, timeout); return task.GetAwaiter().GetResult();`, reported by BRG2003. An
// awaited async method of the compilation whose every way back (each return, the end of its body) has one of its
// by-value task parameters complete, as the analysis reads its body, completes the argument given for it; the helpers a
// helper awaits are read in turn (`WithTimeout<T>` awaits `WithTimeout`), two deep.
public sealed class CompletingHelperTests
{
    private const string Helpers = """
        static class Helpers
        {
            public static async Task WithTimeout(this Task task, TimeSpan timeout)
            {
                using var cancellation = new CancellationTokenSource();
                var first = await Task.WhenAny(task, Task.Delay(timeout, cancellation.Token)).ConfigureAwait(false);
                if (first != task)
                {
                    throw new TimeoutException();
                }

                cancellation.Cancel();
                await task.ConfigureAwait(false);
            }

            // vs-threading's TplExtensions.cs:103: the read after the helper, in a helper
            public static async Task<T> WithTimeout<T>(this Task<T> task, TimeSpan timeout)
            {
                await WithTimeout((Task)task, timeout).ConfigureAwait(false);
                return task.GetAwaiter().GetResult();
            }

            public static async Task OrThrowIfOtherFails(this Task task, Task other)
            {
                var completed = await Task.WhenAny(task, other);
                if (completed == other && other.IsFaulted)
                {
                    throw new InvalidOperationException();
                }

                await task;
            }

            public static async Task<bool> Guarded(Task t, TimeSpan delay)
            {
                await Task.WhenAny(t, Task.Delay(delay)).ConfigureAwait(false);
                if (!t.IsCompleted)
                {
                    throw new TimeoutException();
                }

                return true;
            }

            public static async Task Returns(Task t, bool early)
            {
                await t;
                if (early)
                {
                    return;
                }

                await Task.Yield();
            }

            public static async Task TwoLevels(Task t) => await Returns(t, false);

            // Not completing: a wait that may time out, an early return before the await, a parameter assigned, a
            // helper that is not async (it returns at once), three helpers deep.
            public static async Task MayTimeOut(Task t, TimeSpan delay) => await Task.WhenAny(t, Task.Delay(delay));
            public static async Task Early(Task t, bool skip) { if (skip) return; await t; }
            public static async Task Assigns(Task t) { t = Task.Delay(1); await t; }
            public static Task NotAsync(Task t) => Task.WhenAny(t, Task.Delay(1));
            public static async Task ThreeLevels(Task t) => await TwoLevels(t);
        }

        """;

    public static TheoryData<string> Correct =>
    [
        "class C { async Task<int> M(Task<int> t) { await t.WithTimeout(TimeSpan.FromSeconds(1)); return t.Result; } }",
        "class C { async Task<int> M(Task<int> t) { await Helpers.WithTimeout(t, TimeSpan.FromSeconds(1)).ConfigureAwait(false); return t.GetAwaiter().GetResult(); } }",
        "class C { async Task<int> M(Task<int> t, Task other) { await t.OrThrowIfOtherFails(other); return t.Result; } }",
        "class C { async Task<int> M(Task<int> t) { if (await Helpers.Guarded(t, TimeSpan.FromSeconds(1))) { return t.Result; } return 0; } }",
        "class C { async Task<int> M(Task<int> t) { await Helpers.Returns(t, true); return t.Result; } }",
        "class C { async Task M(Task<int> t) { await Helpers.Returns(t, false); Console.WriteLine(t.Result); } }",
        "class C { async Task<int> M(Task<int> t) { await Helpers.TwoLevels(t); return t.Result; } }",
        "class C { async Task<int> M(Task t, Task<int> u) { await t.WithTimeout(TimeSpan.FromSeconds(1)); await u.WithTimeout(TimeSpan.FromSeconds(1)); return u.Result; } }",
    ];

    public static TheoryData<string> Buggy =>
    [
        "class C { async Task<int> M(Task<int> t) { await Helpers.MayTimeOut(t, TimeSpan.FromSeconds(1)); return [|t.Result|]; } }",
        "class C { async Task<int> M(Task<int> t) { await Helpers.Early(t, true); return [|t.Result|]; } }",
        "class C { async Task<int> M(Task<int> t) { await Helpers.Assigns(t); return [|t.Result|]; } }",
        "class C { async Task<int> M(Task<int> t) { await Helpers.NotAsync(t); return [|t.Result|]; } }",
        "class C { async Task<int> M(Task<int> t) { await Helpers.ThreeLevels(t); return [|t.Result|]; } }",
        // another argument than the one completed, the helper not awaited, the variable assigned since
        "class C { async Task<int> M(Task<int> t, Task<int> other) { await t.OrThrowIfOtherFails(other); return [|other.Result|]; } }",
        "class C { async Task<int> M(Task<int> t) { _ = t.WithTimeout(TimeSpan.FromSeconds(1)); await Task.Yield(); return [|t.Result|]; } }",
        "class C { async Task<int> M(Task<int> t, Task<int> u) { await t.WithTimeout(TimeSpan.FromSeconds(1)); t = u; return [|t.Result|]; } }",
        // in a branch the helper's await may not have run
        "class C { async Task<int> M(Task<int> t, bool b) { if (b) { await t.WithTimeout(TimeSpan.FromSeconds(1)); } return [|t.Result|]; } }",
    ];

    [Theory]
    [MemberData(nameof(Correct))]
    public Task BRG2003_correct(string source) => V2003.AnalyzerAsync(Helpers + source);

    [Theory]
    [MemberData(nameof(Buggy))]
    public Task BRG2003_buggy(string source) => V2003.AnalyzerAsync(Helpers + source);
}
