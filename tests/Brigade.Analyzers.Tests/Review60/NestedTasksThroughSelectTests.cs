using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2008NestedTaskNotUnwrappedAnalyzer>;

namespace Brigade.Analyzers.Tests.Review60;

// Review 60, a user's test not in the repository: `var tasks = Enumerable.Range(0, 5).Select(i => Task.Factory.StartNew(async
// () => await ComputeAsync(i))).ToArray(); Task.WaitAll(tasks);` passed although ComputeAsync threw after its first await:
// WaitAll waited for the outer tasks only. The nested tasks are the Select lambda's results, and BRG2008 did not follow
// them through Select and ToArray into the local that WaitAll is given.
public sealed class NestedTasksThroughSelectTests
{
    private const string Prelude = """
        class C
        {
            static Task SaveAsync() => Task.Delay(1);

        """;

    public static TheoryData<string> Buggy =>
    [
        Prelude + "void M() { var tasks = Enumerable.Range(0, 5).Select(i => Task.Factory.StartNew([|async () =>|] await SaveAsync())).ToArray(); Task.WaitAll(tasks); } }",
        Prelude + "async Task M(int[] items) { await Task.WhenAll(items.Select(i => Task.Factory.StartNew([|async () =>|] await SaveAsync()))); } }",
        Prelude + "async Task M(int[] items) { var tasks = items.Select(i => { return Task.Factory.StartNew([|async () =>|] await SaveAsync()); }).ToList(); await Task.WhenAll(tasks); } }",
    ];

    public static TheoryData<string> Correct =>
    [
        Prelude + "async Task M(int[] items) { await Task.WhenAll(items.Select(i => Task.Factory.StartNew(async () => await SaveAsync()).Unwrap())); } }",
        Prelude + "async Task M(int[] items) { await Task.WhenAll(items.Select(i => Task.Run(async () => await SaveAsync()))); } }",
        Prelude + "void M(int[] items) { foreach (var t in items.Select(i => Task.Factory.StartNew(async () => await SaveAsync()))) { } } }",
        Prelude + "async Task M(int[] items) { var tasks = items.Select(i => Task.Factory.StartNew(async () => await SaveAsync())).ToArray(); await Task.WhenAll(tasks.Select(t => t.Unwrap())); } }",
    ];

    [Theory]
    [MemberData(nameof(Buggy))]
    public Task Flags_nested_tasks_a_Select_makes_and_WaitAll_or_WhenAll_waits_for(string source) => Verifier.AnalyzerAsync(source);

    [Theory]
    [MemberData(nameof(Correct))]
    public Task Leaves_unwrapped_and_enumerated_nested_tasks_alone(string source) => Verifier.AnalyzerAsync(source);
}
