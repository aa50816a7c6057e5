using Brigade.Analyzers.CodeFixes;
using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2006SharedAcrossAwaitAnalyzer>;

namespace Brigade.Analyzers.Tests.Rules;

public sealed class BRG2006Tests
{
    private const string Prelude = """
        class C
        {
            readonly Shared<int> _s = new("s");
            readonly int[] items = [1, 2, 3];
            int _plain;
            static async IAsyncEnumerable<int> Items() { await Task.Yield(); yield return 1; }

        """;

    public static TheoryData<string> Buggy =>
    [
        Prelude + "async Task M(Shared<int> s) { s.Write(1); await Task.Yield(); _ = [|s.Read()|]; } }",
        Prelude + "async Task M() { _s.Write(1); await Task.Delay(1); [|_s.Write(2)|]; } }",
        Prelude + "async Task M() { _s.Increment(); await Task.Yield(); [|_s.Increment()|]; } }",
        Prelude + "async Task M() { for (var i = 0; i < 3; i++) { [|_s.Write(i)|]; await Task.Yield(); } } }",
        Prelude + "void M() { Func<Task> f = async () => { _s.Write(1); await Task.Yield(); [|_s.Write(2)|]; }; } }",
        Prelude + "async Task M() { async Task Local() { _s.Write(1); await Task.Yield(); [|_s.Write(2)|]; } await Local(); } }",
        Prelude + "Task M() => Task.Run(async () => { _s.Write(1); await Task.Yield(); [|_s.Write(2)|]; }); }",
        Prelude + "async Task M() { _s.Write(1); RaceDetector.EnterFlow(); await Task.Yield(); [|_s.Write(2)|]; } }",
        Prelude + "async Task M() { Action a = () => RaceDetector.EnterFlow(); _s.Write(1); await Task.Yield(); [|_s.Write(2)|]; } }",
        Prelude + "async Task M() { _s.Write(1); await foreach (var i in Items()) { } [|_s.Write(2)|]; } }",
        Prelude + "async Task M() { _s.Exchange(1); await Task.Yield(); [|_s.CompareExchange(2, 1)|]; } }",
        Prelude + "async Task M() { var v = _s.ReadAcquire(); await Task.Yield(); [|_s.WriteRelease(v + 1)|]; } }",
        Prelude + "async Task M(Shared<long> total) { total.Add(1); await Task.Yield(); [|total.Update(t => t * 2)|]; } }",
    ];

    public static TheoryData<string> Correct =>
    [
        Prelude + "async Task M() { RaceDetector.EnterFlow(); _s.Write(1); await Task.Yield(); _s.Write(2); } }",
        Prelude + "async Task M() { _s.Write(1); await Task.Yield(); } }",
        Prelude + "async Task M() { await Task.Yield(); _s.Write(1); _s.Write(2); } }",
        Prelude + "Task M() => RaceDetector.Run(async () => { _s.Write(1); await Task.Yield(); _s.Write(2); }); }",
        Prelude + "Task M() => Runner.ForEachAsync(items, async (x, ct) => { _s.Write(x); await Task.Yield(); _s.Write(x); }); }",
        Prelude + "void M() { _s.Write(1); _s.Write(2); } }",
        Prelude + "async Task M() { RaceDetector.EnterFlow(\"outer\"); Func<Task> f = async () => { _s.Write(1); await Task.Yield(); _s.Write(2); }; await f(); } }",
        Prelude + "async Task M(bool b) { if (b) { _s.Write(1); } else { await Task.Yield(); } } }",
        Prelude + "async Task M() { _s.Write(1); Func<Task> f = async () => await Task.Yield(); _s.Write(2); await Task.CompletedTask; } }",
        Prelude + "async Task M() { _plain = 1; await Task.Yield(); _plain = 2; } }",
        Prelude + "Task M() => Runner.MapAsync(items, async (x, ct) => { _s.Increment(); await Task.Yield(); return _s.Read(); }); }",
        Prelude + "async Task M() { foreach (var i in items) { _s.Write(i); } await Task.Yield(); } }",
        // Found running the analyzers over this repository: a new variable each iteration of a loop that awaits.
        Prelude + "async Task M() { for (var i = 0; i < 3; i++) { var w = new Shared<int>(\"w\"); await Task.Yield(); _ = w.ReadAcquire(); } } }",
        Prelude + "async Task M(Shared<int> other) { _s.Write(1); await Task.Yield(); other.Write(2); } }",
    ];

    [Theory]
    [MemberData(nameof(Buggy))]
    public Task Flags_shared_variables_accessed_on_both_sides_of_an_await_outside_a_flow(string source) => Verifier.AnalyzerAsync(source);

    [Theory]
    [MemberData(nameof(Correct))]
    public Task Leaves_flows_and_one_sided_accesses_alone(string source) => Verifier.AnalyzerAsync(source);

    [Fact]
    public Task Message_names_the_variable_and_the_method() => Verifier.AnalyzerAsync(
        Prelude + "async Task Handle() { _s.Write(1); await Task.Yield(); {|#0:_s.Write(2)|}; } }",
        Verifier.Diagnostic().WithLocation(0).WithArguments("_s", "'Handle'"));

    [Fact]
    public Task Fix_enters_a_flow_first() => Verifier.CodeFixAsync<BRG2006EnterFlowCodeFix>(
        Prelude + """
            async Task M()
            {
                _s.Write(1);
                await Task.Yield();
                [|_s.Write(2)|];
            }
        }
        """,
        Prelude + """
            async Task M()
            {
                RaceDetector.EnterFlow();
                _s.Write(1);
                await Task.Yield();
                _s.Write(2);
            }
        }
        """);
}
