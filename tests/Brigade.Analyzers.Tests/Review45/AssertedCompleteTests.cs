using V2003 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2003BlockingOnThreadPoolAnalyzer>;

namespace Brigade.Analyzers.Tests.Review45;

// Review 45: vs-threading's tests check a task complete with an assertion before reading it:
// `Assert.True(preparationStartTask.IsCompleted); Assert.True(!preparationStartTask.Result.CanBeCanceled);`. The
// assertion throws when the task is not complete, so the read does not block: reporting it was a false alarm.
public sealed class AssertedCompleteTests
{
    // The test frameworks' shapes (xunit's Assert.True, MSTest's Assert.IsTrue, NUnit's Assert.That), declared here.
    private const string Frameworks = """
        namespace Xunit { static class Assert { public static void True(bool condition) { if (!condition) throw new Exception(); } public static void True(bool condition, string message) { if (!condition) throw new Exception(message); } public static void False(bool condition) { if (condition) throw new Exception(); } } }
        namespace MSTest { static class Assert { public static void IsTrue(bool condition) { if (!condition) throw new Exception(); } } }
        namespace NUnit { static class Assert { public static void That(bool condition) { if (!condition) throw new Exception(); } public static void That<T>(T actual, Func<T, bool> check) { if (!check(actual)) throw new Exception(); } } }

        """;

    public static TheoryData<string> Correct =>
    [
        "class C { async Task<int> M(Task<int> t) { await Task.Yield(); Xunit.Assert.True(t.IsCompleted); return t.Result; } }",
        "class C { async Task<int> M(Task<int> t) { await Task.Yield(); Xunit.Assert.True(t.IsCompletedSuccessfully, \"done\"); return t.Result; } }",
        "class C { async Task<int> M(Task<int> t) { await Task.Yield(); Xunit.Assert.True(condition: t.IsCompleted); return t.GetAwaiter().GetResult(); } }",
        "class C { async Task<int> M(Task<int> t) { await Task.Yield(); MSTest.Assert.IsTrue(t.Status == TaskStatus.RanToCompletion); return t.Result; } }",
        "class C { async Task<int> M(Task<int> t) { await Task.Yield(); NUnit.Assert.That(t.IsCompleted); return t.Result; } }",
        "class C { async Task<int> M(ValueTask<int> t) { await Task.Yield(); Xunit.Assert.True(t.IsCompletedSuccessfully); return t.Result; } }",
        "class C { async Task<int> M(Task<int> t, bool b) { await Task.Yield(); Xunit.Assert.True(b && t.IsCompleted); return t.Result; } }",
    ];

    public static TheoryData<string> Buggy =>
    [
        // an assertion that the task is not complete, or that does not say it is
        "class C { async Task<int> M(Task<int> t) { await Task.Yield(); Xunit.Assert.False(t.IsCompleted); return [|t.Result|]; } }",
        "class C { async Task<int> M(Task<int> t) { await Task.Yield(); Xunit.Assert.True(!t.IsCompleted); return [|t.Result|]; } }",
        "class C { async Task<int> M(Task<int> t, bool b) { await Task.Yield(); Xunit.Assert.True(b || t.IsCompleted); return [|t.Result|]; } }",
        // Debug.Assert does nothing in a release build
        "class C { async Task<int> M(Task<int> t) { await Task.Yield(); System.Diagnostics.Debug.Assert(t.IsCompleted); return [|t.Result|]; } }",
        // NUnit's Assert.That(actual, constraint): not a condition the analysis reads
        "class C { async Task<int> M(Task<int> t) { await Task.Yield(); NUnit.Assert.That(t.IsCompleted, x => x); return [|t.Result|]; } }",
        // asserted in a branch, read after it
        "class C { async Task<int> M(Task<int> t, bool b) { await Task.Yield(); if (b) { Xunit.Assert.True(t.IsCompleted); } return [|t.Result|]; } }",
        // read before the assertion
        "class C { async Task<int> M(Task<int> t) { await Task.Yield(); var r = [|t.Result|]; Xunit.Assert.True(t.IsCompleted); return r; } }",
        // another task asserted
        "class C { async Task<int> M(Task<int> t, Task<int> u) { await Task.Yield(); Xunit.Assert.True(u.IsCompleted); return [|t.Result|]; } }",
    ];

    [Theory]
    [MemberData(nameof(Correct))]
    public Task BRG2003_correct(string source) => V2003.AnalyzerAsync(Frameworks + source);

    [Theory]
    [MemberData(nameof(Buggy))]
    public Task BRG2003_buggy(string source) => V2003.AnalyzerAsync(Frameworks + source);
}
