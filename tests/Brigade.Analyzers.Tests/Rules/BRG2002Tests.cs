using Brigade.Analyzers.CodeFixes;
using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2002LostUpdateAnalyzer>;

namespace Brigade.Analyzers.Tests.Rules;

public sealed class BRG2002Tests
{
    private const string Prelude = """
        class Acc { public int Total; }
        class C
        {
            readonly int[] items = [1, 2, 3];
            readonly object gate = new();
            int _hits;
            static int s_count;
            [ThreadStatic] static int t_count;

        """;

    public static TheoryData<string> Buggy =>
    [
        Prelude + "void M() { int count = 0; Parallel.ForEach(items, x => { [|count++|]; }); } }",
        Prelude + "void M() { long total = 0; Parallel.For(0, 100, i => { [|total += i|]; }); } }",
        Prelude + "void M() { Parallel.ForEach(items, x => [|_hits++|]); } }",
        Prelude + "void M() { Parallel.For(0, 10, i => { [|s_count--|]; }); } }",
        Prelude + "void M() { var list = new List<int>(); Parallel.ForEach(items, x => [|list.Add(x)|]); } }",
        Prelude + "void M() { var d = new Dictionary<int, int>(); Parallel.ForEach(items, x => { [|d[x] = 1|]; }); } }",
        Prelude + "void M() { int max = 0; Parallel.ForEach(items, x => { if (x > max) [|max = x|]; }); } }",
        Prelude + "void M() { int sum = 0; Parallel.ForEach(items, x => { [|sum = sum + x|]; }); } }",
        Prelude + "void M() { int count = 0; items.AsParallel().ForAll(x => [|count++|]); } }",
        Prelude + "void M() { int count = 0; var tasks = new List<Task>(); for (var i = 0; i < 4; i++) { tasks.Add(Task.Run(() => [|count++|])); } Task.WaitAll(tasks); } }",
        Prelude + "async Task M() { int count = 0; await Runner.ForEachAsync(items, x => { [|count++|]; }); } }",
        Prelude + "async Task M() { int count = 0; await Parallel.ForEachAsync(items, async (x, ct) => { await Task.Delay(1, ct); [|count += x|]; }); } }",
        Prelude + "void M() { int count = 0; Parallel.Invoke(() => [|count++|], () => [|count++|]); } }",
        Prelude + "void M() { int count = 0; var tasks = items.Select(x => Task.Run(() => [|count++|])).ToArray(); Task.WaitAll(tasks); } }",
        Prelude + "void M() { var d = new Dictionary<int, int>(); Parallel.ForEach(items, x => { [|d[x] += 1|]; }); } }",
        Prelude + "void M() { var acc = new Acc(); Parallel.ForEach(items, x => [|acc.Total += x|]); } }",
        Prelude + "void M() { string? cache = null; Parallel.ForEach(items, x => [|cache ??= x.ToString()|]); } }",
        Prelude + "void M() { var seen = new HashSet<int>(); Parallel.ForEach(items, x => { var y = x * 2; [|seen.Add(y)|]; }); } }",
        Prelude + "void M() { var log = new System.Text.StringBuilder(); Parallel.ForEach(items, x => [|log.Append(x)|].Append(';')); } }",
        Prelude + "readonly System.Text.StringBuilder _log = new(); void M() { Parallel.For(0, 3, i => { [|_log.AppendLine(i.ToString())|]; }); } }",
        Prelude + "void M() { int count = 0; void Bump() => count++; Parallel.ForEach(items, x => [|Bump()|]); } }",
        Prelude + "void M() { var seen = new List<int>(); void Record(int v) { if (v > 0) { seen.Add(v); } } Parallel.ForEach(items, x => { [|Record(x)|]; }); } }",
        Prelude + "void M() { int total = 0; void Add(int v) => Inner(v); void Inner(int v) { total += v; } Parallel.For(0, 3, i => [|Add(i)|]); } }",
        Prelude + "void M() { void Hit() { _hits++; } for (var i = 0; i < 3; i++) { Task.Run(() => [|Hit()|]); } } }",
        Prelude + "void M() { int count = 0; Parallel.ForEach(items, x => { Bump(); void Bump() { [|count++|]; } }); } }",
        // Review 29c #13: a lock on an object the body creates guards nothing; a lock released before the write neither.
        Prelude + "void M() { Parallel.ForEach(items, x => { lock (new object()) { [|_hits++|]; } }); } }",
        Prelude + "void M() { int count = 0; Parallel.ForEach(items, x => { Monitor.Enter(gate); Monitor.Exit(gate); [|count++|]; }); } }",
        Prelude + "void M() { int count = 0; Parallel.ForEach(items, x => { Monitor.Enter(gate); try { count++; } finally { Monitor.Exit(gate); } [|count++|]; }); } }",
        Prelude + "void M() { var s = new SemaphoreSlim(1); int count = 0; Parallel.ForEach(items, x => { s.Wait(); s.Release(); [|count += x|]; }); } }",
        // Review 29c #13: a deconstruction that reads what it assigns.
        Prelude + "void M() { int a = 0, b = 1; Parallel.ForEach(items, x => { [|(a, b) = (b, a + x)|]; }); } }",
        // Review 29c #7, still shared: declared outside the loop, or outside the inner loop, or a Parallel body in a loop.
        Prelude + "void M() { var part = new List<int>(); for (var i = 0; i < 3; i++) { Task.Run(() => [|part.Add(1)|]); } } }",
        Prelude + "void M() { for (var i = 0; i < 3; i++) { var part = new List<int>(); for (var j = 0; j < 3; j++) { Task.Run(() => [|part.Add(j)|]); } } } }",
        Prelude + "void M() { foreach (var g in items) { var list = new List<int>(); Parallel.ForEach(items, x => [|list.Add(x)|]); } } }",
        Prelude + "void M() { var acc = new Acc(); foreach (var x in items) { Task.Run(() => [|acc.Total += x|]); } } }",
    ];

    public static TheoryData<string> Correct =>
    [
        Prelude + "void M() { int count = 0; Parallel.ForEach(items, x => Interlocked.Increment(ref count)); } }",
        Prelude + "void M() { int count = 0; Parallel.ForEach(items, x => { lock (gate) { count++; } }); } }",
        Prelude + "void M() { Parallel.ForEach(items, x => { var local = 0; local++; local += x; }); } }",
        Prelude + "void M() { var bag = new ConcurrentBag<int>(); Parallel.ForEach(items, x => bag.Add(x)); } }",
        Prelude + "void M() { var results = new int[10]; Parallel.For(0, 10, i => results[i] = i * 2); } }",
        Prelude + "void M() { int count = 0; foreach (var x in items) { count++; } } }",
        Prelude + "async Task M() { int count = 0; await Task.Run(() => count++); } }",
        Prelude + "void M() { long total = 0; Parallel.For(0, 100, () => 0L, (i, s, local) => local + i, local => Interlocked.Add(ref total, local)); } }",
        Prelude + "async Task<long> M() { var r = await Runner.MapReduceAsync(items, x => (long)x, (a, b) => a + b); return r.Value; } }",
        Prelude + "async Task M() { int count = 0; await Runner.ForEachAsync(items, x => { count++; }, new RunOptions { Engine = Engine.Sequential }); } }",
        Prelude + "void M() { int a = 0, b = 0; Parallel.Invoke(() => a++, () => b++); } }",
        Prelude + "void M() { int count = 0; Parallel.ForEach(items, x => { Monitor.Enter(gate); try { count++; } finally { Monitor.Exit(gate); } }); } }",
        Prelude + "void M(DetectingLock l) { int count = 0; Parallel.ForEach(items, x => { using (l.Acquire()) { count++; } }); } }",
        Prelude + "void M() { bool found = false; Parallel.ForEach(items, x => { if (x == 2) { found = true; } }); } }",
        Prelude + "void M() { Parallel.ForEach(items, x => t_count++); } }",
        Prelude + "void M() { var tl = new ThreadLocal<int>(); Parallel.ForEach(items, x => tl.Value++); } }",
        Prelude + "void M(Lock l) { int count = 0; Parallel.ForEach(items, x => { using (l.EnterScope()) { count++; } }); } }",
        Prelude + "void M() { var d = new ConcurrentDictionary<int, int>(); Parallel.ForEach(items, x => d.AddOrUpdate(x, 1, (k, v) => v + 1)); } }",
        Prelude + "void M() { Parallel.ForEach(items, x => { var list = new List<int>(); list.Add(x); }); } }",
        Prelude + "async Task M() { int count = 0; for (var i = 0; i < 4; i++) { await Task.Run(() => count++).ConfigureAwait(false); } } }",
        Prelude + "void M() { Parallel.ForEach(items, x => { var line = new System.Text.StringBuilder(); line.Append(x).Append(';'); }); } }",
        Prelude + "void M() { var log = new System.Text.StringBuilder(); Parallel.ForEach(items, x => { lock (gate) { log.Append(x); } }); } }",
        Prelude + "void M() { var log = new System.Text.StringBuilder(); Parallel.ForEach(items, x => { var n = log.Length; _ = log.ToString(); }); } }",
        Prelude + "void M() { int count = 0; void Bump() { lock (gate) { count++; } } Parallel.ForEach(items, x => Bump()); } }",
        Prelude + "void M() { int count = 0; void Bump() => count++; Parallel.ForEach(items, x => { lock (gate) { Bump(); } }); } }",
        Prelude + "void M() { int Square(int v) { var r = v; r *= v; return r; } Parallel.ForEach(items, x => Square(x)); } }",
        Prelude + "void M() { int count = 0; void Bump() => Interlocked.Increment(ref count); Parallel.ForEach(items, x => Bump()); } }",
        Prelude + "void M() { int count = 0; void Bump() => count++; foreach (var x in items) { Bump(); } Parallel.ForEach(items, x => Save(x)); } static void Save(int x) { } }",
        Prelude + "void M() { void Collect(List<int> into, int v) => into.Add(v); Parallel.ForEach(items, x => { var mine = new List<int>(); Collect(mine, x); }); } }",
        // Review 29c #7: a variable of the loop's iteration (declared in its body, or foreach's variable) is one per task.
        Prelude + "void M(Acc[] workers) { var tasks = new List<Task>(); foreach (var w in workers) { tasks.Add(Task.Run(() => w.Total++)); } Task.WaitAll(tasks); } }",
        Prelude + "void M() { var tasks = new List<Task>(); for (var i = 0; i < 3; i++) { var part = new List<int>(); tasks.Add(Task.Run(() => part.Add(1))); } } }",
        Prelude + "void M() { var tasks = items.Select(x => { var acc = new Acc(); return Task.Run(() => acc.Total += x); }).ToArray(); } }",
        Prelude + "void M() { while (true) { int n = 0; new Thread(() => { n++; }).Start(); } } }",
        // Locks still held at the write: a lock taken and released in a loop around it, nested locks, a SemaphoreSlim.
        Prelude + "void M() { int count = 0; Parallel.ForEach(items, x => { for (var i = 0; i < 2; i++) { Monitor.Enter(gate); count++; Monitor.Exit(gate); } }); } }",
        Prelude + "void M(object other) { int count = 0; Parallel.ForEach(items, x => { Monitor.Enter(gate); Monitor.Enter(other); Monitor.Exit(other); count++; Monitor.Exit(gate); }); } }",
        Prelude + "void M() { var s = new SemaphoreSlim(1); int count = 0; Parallel.ForEach(items, x => { s.Wait(); try { count++; } finally { s.Release(); } }); } }",
        Prelude + "void M() { int a = 0, b = 1; Parallel.ForEach(items, x => { lock (gate) { (a, b) = (b, a + x); } }); } }",
        Prelude + "void M() { var s = new SemaphoreSlim(1); int count = 0; Parallel.ForEach(items, x => { s.Wait(); if (x == 0) { s.Release(); return; } count++; s.Release(); }); } }",
        Prelude + "void M() { int a = 0, b = 1; Parallel.ForEach(items, x => { var (p, q) = (x, x + 1); (p, q) = (q, p); }); } }",
    ];

    [Theory]
    [MemberData(nameof(Buggy))]
    public Task Flags_unguarded_updates_of_shared_state_in_concurrent_bodies(string source) => Verifier.AnalyzerAsync(source);

    [Theory]
    [MemberData(nameof(Correct))]
    public Task Leaves_guarded_atomic_and_body_local_updates_alone(string source) => Verifier.AnalyzerAsync(source);

    [Fact]
    public Task Message_of_a_local_function_names_it_at_the_call() => Verifier.AnalyzerAsync(
        Prelude + "void M() { int count = 0; void Bump() => count++; Parallel.ForEach(items, x => {|#0:Bump()|}); } }",
        Verifier.Diagnostic().WithLocation(0).WithArguments("count", "incremented by the local function Bump, called", "Parallel.ForEach"));

    [Fact]
    public Task Message_names_the_variable_the_update_and_the_API() => Verifier.AnalyzerAsync(
        Prelude + "void M() { int count = 0; Parallel.ForEach(items, x => { {|#0:count++|}; }); } }",
        Verifier.Diagnostic().WithLocation(0).WithArguments("count", "incremented", "Parallel.ForEach"));

    [Fact]
    public Task Fix_in_an_expression_bodied_Task_Run_lambda() => Verifier.CodeFixAsync<BRG2002InterlockedCodeFix>(
        Prelude + "void M() { int c = 0; for (var i = 0; i < 3; i++) { Task.Run(() => [|c++|]); } } }",
        Prelude + "void M() { int c = 0; for (var i = 0; i < 3; i++) { Task.Run(() => [|c++|]); } } }");

    [Fact]
    public Task Fix_in_expression_bodied_void_lambdas() => Verifier.CodeFixAsync<BRG2002InterlockedCodeFix>(
        Prelude + "void M() { int c = 0; Parallel.For(0, 3, i => [|c++|]); for (var i = 0; i < 3; i++) { new Thread(() => [|c += 2|]).Start(); } } }",
        Prelude + "void M() { int c = 0; Parallel.For(0, 3, i => Interlocked.Increment(ref c)); for (var i = 0; i < 3; i++) { new Thread(() => Interlocked.Add(ref c, 2)).Start(); } } }");

    [Fact]
    public Task Fix_increments_with_Interlocked() => Verifier.CodeFixAsync<BRG2002InterlockedCodeFix>(
        Prelude + "void M() { int count = 0; Parallel.ForEach(items, x => { [|count++|]; }); } }",
        Prelude + "void M() { int count = 0; Parallel.ForEach(items, x => { Interlocked.Increment(ref count); }); } }");

    [Fact]
    public Task Fix_adds_with_Interlocked() => Verifier.CodeFixAsync<BRG2002InterlockedCodeFix>(
        Prelude + "void M() { long total = 0; Parallel.For(0, 100, i => { [|total += i|]; }); } }",
        Prelude + "void M() { long total = 0; Parallel.For(0, 100, i => { Interlocked.Add(ref total, i); }); } }");

    [Fact]
    public Task Fix_subtracts_with_Interlocked_Add_of_the_negation() => Verifier.CodeFixAsync<BRG2002InterlockedCodeFix>(
        Prelude + "void M() { Parallel.ForEach(items, x => { [|_hits -= x|]; }); } }",
        Prelude + "void M() { Parallel.ForEach(items, x => { Interlocked.Add(ref _hits, -x); }); } }");

    [Fact]
    public Task Fix_decrements_a_static_with_Interlocked() => Verifier.CodeFixAsync<BRG2002InterlockedCodeFix>(
        Prelude + "void M() { Parallel.For(0, 10, i => { [|s_count--|]; }); } }",
        Prelude + "void M() { Parallel.For(0, 10, i => { Interlocked.Decrement(ref s_count); }); } }");

    [Fact]
    public Task No_fix_for_an_increment_in_a_checked_context() => Verifier.CodeFixAsync<BRG2002InterlockedCodeFix>(
        Prelude + "void M() { int c = 0; Parallel.For(0, 3, i => { checked { [|c++|]; } }); } }",
        Prelude + "void M() { int c = 0; Parallel.For(0, 3, i => { checked { [|c++|]; } }); } }");
}
