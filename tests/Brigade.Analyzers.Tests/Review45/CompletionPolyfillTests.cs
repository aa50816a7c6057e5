using V2003 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2003BlockingOnThreadPoolAnalyzer>;

namespace Brigade.Analyzers.Tests.Review45;

// Review 45: MassTransit targets netstandard2.0, which lacks Task.IsCompletedSuccessfully, and writes its own extension:
// `return context.IsCompletedSuccessfully() ? new SharedConnectionContext(context.Result, ...) : new ...(await
// context...)`. The task is complete where `.Result` is read: 20 diagnostics in MassTransit's transports were false.
public sealed class CompletionPolyfillTests
{
    private const string Extensions = """
        static class TaskExtensions
        {
            public static bool IsCompletedSuccessfully(this Task task) => task.Status == TaskStatus.RanToCompletion;
            public static bool IsCompleted(this Task task, int unused) => task.IsCompleted;
            public static bool IsDone(this Task task) => task.IsCompleted;
        }

        """;

    public static TheoryData<string> Correct =>
    [
        "class C { async Task<int> M(Task<int> t) => t.IsCompletedSuccessfully() ? t.Result : await t; }",
        "class C { async Task<int> M(Task<int> t) { if (t.IsCompletedSuccessfully()) return t.Result; return await t.ConfigureAwait(false); } }",
        "class C { async Task<int> M(Task<int> t) { if (!t.IsCompletedSuccessfully()) return await t; return t.GetAwaiter().GetResult(); } }",
        "class C { async Task<int> M(Task<int> t) { await Task.Yield(); return TaskExtensions.IsCompletedSuccessfully(t) ? t.Result : 0; } }",
    ];

    public static TheoryData<string> Buggy =>
    [
        // negated, or another task
        "class C { async Task<int> M(Task<int> t) { await Task.Yield(); return !t.IsCompletedSuccessfully() ? [|t.Result|] : 0; } }",
        "class C { async Task<int> M(Task<int> t, Task<int> u) { await Task.Yield(); return u.IsCompletedSuccessfully() ? [|t.Result|] : 0; } }",
        // a helper of another name or shape says nothing the analysis reads
        "class C { async Task<int> M(Task<int> t) { await Task.Yield(); return t.IsDone() ? [|t.Result|] : 0; } }",
        "class C { async Task<int> M(Task<int> t) { await Task.Yield(); return t.IsCompleted(0) ? [|t.Result|] : 0; } }",
    ];

    [Theory]
    [MemberData(nameof(Correct))]
    public Task BRG2003_correct(string source) => V2003.AnalyzerAsync(Extensions + source);

    [Theory]
    [MemberData(nameof(Buggy))]
    public Task BRG2003_buggy(string source) => V2003.AnalyzerAsync(Extensions + source);
}
