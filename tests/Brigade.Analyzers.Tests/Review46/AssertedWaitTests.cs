using V2003 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2003BlockingOnThreadPoolAnalyzer>;

namespace Brigade.Analyzers.Tests.Review46;

// Review 46: akka.net's tests assert a bounded wait with their own and FluentAssertions' assertions,
// `t.Wait(TimeSpan.FromSeconds(1)).ShouldBeTrue(); t.Result.ShouldBe(...)` and `fut.Wait(...).Should().BeTrue(); var tail
// = fut.Result.Item2;`: the assertion throws unless the wait returned true, so the task is complete after it. The wait is
// still reported (it blocks); the reads after it were too (2 in the run, where FluentAssertions was not resolved; 15 with it).
public sealed class AssertedWaitTests
{
    private const string Assertions = """
        static class AkkaSpecExtensions
        {
            public static void ShouldBeTrue(this bool b, string? message = null) { if (!b) throw new InvalidOperationException(message); }
            public static void ShouldBeFalse(this bool b, string? message = null) { if (b) throw new InvalidOperationException(message); }
        }

        sealed class BooleanAssertions
        {
            private readonly bool _subject;
            public BooleanAssertions(bool subject) => _subject = subject;
            public void BeTrue(string because = "") { if (!_subject) throw new InvalidOperationException(because); }
            public void BeFalse(string because = "") { if (_subject) throw new InvalidOperationException(because); }
        }

        static class AssertionExtensions
        {
            public static BooleanAssertions Should(this bool actualValue) => new(actualValue);
        }

        """;

    public static TheoryData<string> Correct =>
    [
        "class C { async Task M(Task<int> t) { await Task.Yield(); [|t.Wait(TimeSpan.FromSeconds(1))|].ShouldBeTrue(); Console.WriteLine(t.Result); } }",
        "class C { async Task M(Task<int> t) { await Task.Yield(); [|t.Wait(1000)|].Should().BeTrue(); Console.WriteLine(t.Result); } }",
        "class C { async Task M(Task<int> t) { await Task.Yield(); AkkaSpecExtensions.ShouldBeTrue([|t.Wait(1000)|], \"done\"); Console.WriteLine(t.GetAwaiter().GetResult()); } }",
        "class C { async Task M(Task<int> t) { await Task.Yield(); t.IsCompleted.Should().BeTrue(); Console.WriteLine(t.Result); } }",
        "class C { async Task M(Task<int> t) { await Task.Yield(); (!t.IsCompleted).ShouldBeFalse(); Console.WriteLine(t.Result); } }",
    ];

    public static TheoryData<string> Buggy =>
    [
        // the wait's result not asserted true, another task, another block
        "class C { async Task M(Task<int> t) { await Task.Yield(); [|t.Wait(1000)|].ShouldBeFalse(); Console.WriteLine([|t.Result|]); } }",
        "class C { async Task M(Task<int> t) { await Task.Yield(); [|t.Wait(1000)|].Should().BeFalse(); Console.WriteLine([|t.Result|]); } }",
        "class C { async Task M(Task<int> t) { await Task.Yield(); _ = [|t.Wait(1000)|].Should(); Console.WriteLine([|t.Result|]); } }",
        "class C { async Task M(Task<int> t, Task<int> u) { await Task.Yield(); [|u.Wait(1000)|].ShouldBeTrue(); Console.WriteLine([|t.Result|]); } }",
        "class C { async Task M(Task<int> t, bool b) { await Task.Yield(); if (b) { [|t.Wait(1000)|].ShouldBeTrue(); } Console.WriteLine([|t.Result|]); } }",
    ];

    [Theory]
    [MemberData(nameof(Correct))]
    public Task BRG2003_correct(string source) => V2003.AnalyzerAsync(Assertions + source);

    [Theory]
    [MemberData(nameof(Buggy))]
    public Task BRG2003_buggy(string source) => V2003.AnalyzerAsync(Assertions + source);
}
