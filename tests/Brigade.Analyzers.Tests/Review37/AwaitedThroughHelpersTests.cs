using V2003 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2003BlockingOnThreadPoolAnalyzer>;

namespace Brigade.Analyzers.Tests.Review37;

// Review 37 (the analyzers over other code bases): StackExchange.Redis awaits through its own ConfigureAwait helper,
// `await Task.WhenAll(c, d).ForAwait(); ... c.Result`, and awaits a list its tasks were added to, `tasks.Add(t); await
// Task.WhenAll(tasks.ToArray()); ... t.Result`. Both tasks are complete there: reporting them was a false alarm.
public sealed class AwaitedThroughHelpersTests
{
    private const string Helpers = """
        static class TaskExtensions
        {
            internal static System.Runtime.CompilerServices.ConfiguredTaskAwaitable ForAwait(this Task task) => task.ConfigureAwait(false);
            internal static System.Runtime.CompilerServices.ConfiguredTaskAwaitable<T> ForAwait<T>(this Task<T> task) => task.ConfigureAwait(false);
            internal static System.Runtime.CompilerServices.ConfiguredValueTaskAwaitable<T> ForAwait<T>(this ValueTask<T> task) => task.ConfigureAwait(false);
            internal static Task<T> Log<T>(this Task<T> task) => task;
        }

        """;

    public static TheoryData<string> Correct =>
    [
        // a helper returning what ConfigureAwait returns
        "class C { async Task<int> M(Task<int> t) { await t.ForAwait(); return t.Result; } }",
        "class C { async Task<int> M(ValueTask<int> t) { await t.ForAwait(); return t.Result; } }",
        "class C { async Task<int> M(Task<int> a, Task<int> b) { await Task.WhenAll(a, b).ForAwait(); return a.Result + b.Result; } }",
        "class C { async Task<int> M(Task<int>[] tasks) { await Task.WhenAll(tasks).ForAwait(); return tasks[0].Result; } }",

        // a task put into the collection awaited
        "class C { async Task<int> M(Task<int> t) { var tasks = new List<Task>(); tasks.Add(t); await Task.WhenAll(tasks.ToArray()); return t.Result; } }",
        "class C { async Task<int> M(Task<int> t) { var tasks = new List<Task>(); tasks.Add(t); await Task.WhenAll(tasks); return t.Result; } }",
        "class C { async Task<int> M(Task<int> t) { var tasks = new List<Task>(); tasks.Add(t); await Task.WhenAll(tasks.ToList()).ConfigureAwait(false); return t.Result; } }",
        "class C { async Task<int> M(Task<int> a, Task<int> b) { var tasks = new[] { a, b }; await Task.WhenAll(tasks); return a.Result + b.Result; } }",
        "class C { async Task<int> M(Task<int> a, Task<int> b) { var tasks = new List<Task<int>> { a, b }; await Task.WhenAll(tasks); return b.Result; } }",
        "class C { async Task<int> M(Task<int> a, Task<int> b) { List<Task<int>> tasks = [a, b]; await Task.WhenAll(tasks); return b.Result; } }",

        // ToArray of a list, awaited: its elements
        "class C { async Task<int> M(List<Task<int>> tasks) { await Task.WhenAll(tasks.ToArray()); return tasks[0].Result; } }",
        "class C { async Task<int> M(IEnumerable<Task<int>> tasks) { await Task.WhenAll(tasks.ToArray()); return tasks.First().Result; } }",
    ];

    public static TheoryData<string> Buggy =>
    [
        // a helper returning a task, not a configured awaitable: not known to await the task it extends
        "class C { async Task<int> M(Task<int> t) { await t.Log(); return [|t.Result|]; } }",
        // another task awaited through the helper
        "class C { async Task<int> M(Task<int> t, Task<int> u) { await u.ForAwait(); return [|t.Result|]; } }",

        // put in on one path only
        "class C { async Task<int> M(Task<int> t, bool b) { var tasks = new List<Task>(); if (b) tasks.Add(t); await Task.WhenAll(tasks); return [|t.Result|]; } }",
        // put in after the await
        "class C { async Task<int> M(Task<int> t) { var tasks = new List<Task>(); await Task.WhenAll(tasks); tasks.Add(t); return [|t.Result|]; } }",
        // taken out, or the list emptied, before the await
        "class C { async Task<int> M(Task<int> t) { var tasks = new List<Task>(); tasks.Add(t); tasks.Clear(); await Task.WhenAll(tasks); return [|t.Result|]; } }",
        "class C { async Task<int> M(Task<int> t) { var tasks = new List<Task>(); tasks.Add(t); tasks.Remove(t); await Task.WhenAll(tasks); return [|t.Result|]; } }",
        // the variable or the list replaced in between
        "class C { async Task<int> M(Task<int> t, Task<int> u) { var tasks = new List<Task>(); tasks.Add(t); t = u; await Task.WhenAll(tasks); return [|t.Result|]; } }",
        "class C { async Task<int> M(Task<int> t) { var tasks = new List<Task>(); tasks.Add(t); tasks = new List<Task>(); await Task.WhenAll(tasks); return [|t.Result|]; } }",
        // put into another list
        "class C { async Task<int> M(Task<int> t) { var tasks = new List<Task>(); var other = new List<Task>(); other.Add(t); await Task.WhenAll(tasks); return [|t.Result|]; } }",
        // a filter is not a copy: only some of the elements are awaited
        "class C { async Task<int> M(List<Task<int>> tasks) { await Task.WhenAll(tasks.Where(x => x.Id > 0).ToArray()); return [|tasks[0].Result|]; } }",
        // put in inside a lambda: it may not have run
        "class C { async Task<int> M(Task<int> t) { var tasks = new List<Task>(); Action add = () => tasks.Add(t); await Task.WhenAll(tasks); return [|t.Result|]; } }",
    ];

    [Theory]
    [MemberData(nameof(Correct))]
    public Task BRG2003_correct(string source) => V2003.AnalyzerAsync(Helpers + source);

    [Theory]
    [MemberData(nameof(Buggy))]
    public Task BRG2003_buggy(string source) => V2003.AnalyzerAsync(Helpers + source);
}
