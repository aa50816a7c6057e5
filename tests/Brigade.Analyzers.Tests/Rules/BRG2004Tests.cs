using Brigade.Analyzers.CodeFixes;
using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2004AsyncLambdaToSyncParallelApiAnalyzer>;

namespace Brigade.Analyzers.Tests.Rules;

public sealed class BRG2004Tests
{
    private const string Prelude = """
        class C
        {
            readonly int[] items = [1, 2, 3];
            static async Task SaveAsync(int x) => await Task.Delay(x);
            static void Save(int x) { }

        """;

    public static TheoryData<string> Buggy =>
    [
        Prelude + "void M() { Parallel.ForEach(items, [|async x =>|] await SaveAsync(x)); } }",
        Prelude + "void M() { Parallel.ForEach(items, [|async (x) =>|] { await Task.Delay(1); }); } }",
        Prelude + "void M() { Parallel.For(0, 10, [|async i =>|] await SaveAsync(i)); } }",
        Prelude + "void M() { Parallel.For(0, 10, [|async (i, state) =>|] await SaveAsync(i)); } }",
        Prelude + "void M() { Parallel.Invoke(() => Save(1), [|async () =>|] await SaveAsync(2)); } }",
        Prelude + "void M() { Parallel.ForEach(items, new ParallelOptions { MaxDegreeOfParallelism = 2 }, [|async x =>|] await SaveAsync(x)); } }",
        Prelude + "void M() { items.AsParallel().ForAll([|async x =>|] await SaveAsync(x)); } }",
        Prelude + "void M() { var t = new Thread([|async () =>|] await SaveAsync(1)); t.Start(); } }",
        Prelude + "Task M() => Runner.ForEachAsync(items, [|async x =>|] await SaveAsync(x)); }",
        Prelude + "void M() { Parallel.ForEach(items, [|async delegate|] (int x) { await SaveAsync(x); }); } }",
        Prelude + "async void Handle(int x) => await SaveAsync(x); void M() { Parallel.ForEach(items, [|Handle|]); } }",
        Prelude + "void M() { ThreadPool.QueueUserWorkItem([|async _ =>|] await SaveAsync(1)); } }",
        Prelude + "async Task M() { await Task.Yield(); Parallel.ForEach(items, [|async x =>|] { await SaveAsync(x); }); } }",
    ];

    public static TheoryData<string> Correct =>
    [
        Prelude + "async Task M() { await Parallel.ForEachAsync(items, async (x, ct) => await Task.Delay(x, ct)); } }",
        Prelude + "void M() { Parallel.ForEach(items, x => Save(x)); } }",
        Prelude + "async Task M() { await Parallel.ForAsync(0, 10, async (i, ct) => await Task.Delay(i, ct)); } }",
        Prelude + "Task M() => Runner.ForEachAsync(items, async (x, ct) => await SaveAsync(x)); }",
        Prelude + "Task M() => Task.Run(async () => await SaveAsync(1)); }",
        Prelude + "Task M() => Task.WhenAll(items.Select(async x => await SaveAsync(x))); }",
        Prelude + "void M() { Parallel.Invoke(() => Save(1), () => Save(2)); } }",
        Prelude + "void M() { new Thread(() => Save(1)).Start(); } }",
        Prelude + "void M() { items.ToList().ForEach(x => Save(x)); } }",
        Prelude + "async Task HandleAsync(int x) => await SaveAsync(x); Task M() => Parallel.ForEachAsync(items, async (x, ct) => await HandleAsync(x)); }",
        Prelude + "void M() { Action a = async () => await SaveAsync(1); a(); } }",
        Prelude + "Task<RunResult<int>> M() => Runner.MapAsync(items, async (x, ct) => { await SaveAsync(x); return x; }); }",
        Prelude + "void M() { items.AsParallel().ForAll(x => Save(x)); } }",
    ];

    [Theory]
    [MemberData(nameof(Buggy))]
    public Task Flags_async_lambdas_given_to_synchronous_parallel_APIs(string source) => Verifier.AnalyzerAsync(source);

    [Theory]
    [MemberData(nameof(Correct))]
    public Task Leaves_asynchronous_APIs_and_synchronous_lambdas_alone(string source) => Verifier.AnalyzerAsync(source);

    [Fact]
    public Task Message_names_the_API_and_the_replacement() => Verifier.AnalyzerAsync(
        Prelude + "void M() { Parallel.ForEach(items, {|#0:async x =>|} await SaveAsync(x)); } }",
        Verifier.Diagnostic().WithLocation(0).WithArguments("lambda", "Parallel.ForEach", "the loop counts the item done at the lambda's first await and returns before the work is done", "Parallel.ForEachAsync, which awaits each body"));

    [Fact]
    public Task Fix_turns_Parallel_ForEach_into_awaited_ForEachAsync() => Verifier.CodeFixAsync<BRG2004ForEachAsyncCodeFix>(
        Prelude + "async Task M() { Parallel.ForEach(items, [|async x =>|] await SaveAsync(x)); } }",
        Prelude + "async Task M() { await Parallel.ForEachAsync(items, async (x, cancellationToken) => await SaveAsync(x)); } }");

    [Fact]
    public Task Fix_turns_Parallel_For_into_awaited_ForAsync() => Verifier.CodeFixAsync<BRG2004ForEachAsyncCodeFix>(
        Prelude + "async Task M() { Parallel.For(0, 3, [|async i =>|] { await SaveAsync(i); }); } }",
        Prelude + "async Task M() { await Parallel.ForAsync(0, 3, async (i, cancellationToken) => { await SaveAsync(i); }); } }");

    [Fact]
    public Task FixAll_rewrites_every_call_in_every_document_at_once() => Verifier.FixAllAsync<BRG2004ForEachAsyncCodeFix>(
        [
            Prelude + "async Task M() { Parallel.ForEach(items, [|async x =>|] await SaveAsync(x)); Parallel.For(0, 3, [|async i =>|] { await SaveAsync(i); }); await Runner.ForEachAsync(items, [|async (int x) =>|] await SaveAsync(x)); } }",
            "class D { async Task N(int[] xs) { Parallel.ForEach(xs, [|async x =>|] await Task.Delay(x)); } }",
        ],
        [
            Prelude + "async Task M() { await Parallel.ForEachAsync(items, async (x, cancellationToken) => await SaveAsync(x)); await Parallel.ForAsync(0, 3, async (i, cancellationToken) => { await SaveAsync(i); }); await Runner.ForEachAsync(items, async (int x, CancellationToken cancellationToken) => await SaveAsync(x)); } }",
            "class D { async Task N(int[] xs) { await Parallel.ForEachAsync(xs, async (x, cancellationToken) => await Task.Delay(x)); } }",
        ]);

    [Fact]
    public Task Fix_gives_Runner_ForEachAsync_the_asynchronous_overload() => Verifier.CodeFixAsync<BRG2004ForEachAsyncCodeFix>(
        Prelude + "Task M() => Runner.ForEachAsync(items, [|async x =>|] await SaveAsync(x)); }",
        Prelude + "Task M() => Runner.ForEachAsync(items, async (x, cancellationToken) => await SaveAsync(x)); }");
}
