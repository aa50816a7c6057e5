using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2001LockOrderInversionAnalyzer>;

namespace Brigade.Analyzers.Tests.Rules;

public sealed class BRG2001Tests
{
    private const string Prelude = """
        class C
        {
            readonly object _a = new();
            readonly object _b = new();
            readonly Lock _la = new();
            readonly Lock _lb = new();
            readonly DetectingLock _da = new("a");
            readonly DetectingLock _db = new("b");
            static readonly object s_c = new();
            int _x;

        """;

    public static TheoryData<string> Buggy =>
    [
        // Plain nested locks in opposite orders.
        Prelude + "void M1() { lock (_a) { lock ([|_b|]) { _x++; } } } void M2() { lock (_b) { lock ([|_a|]) { _x++; } } } }",
        // One order through a call.
        Prelude + "void M1() { lock (_a) { [|TakeB()|]; } } void TakeB() { lock (_b) { _x++; } } void M2() { lock (_b) { lock ([|_a|]) { _x++; } } } }",
        // Through two calls.
        Prelude + "void M1() { lock (_a) { [|Step1()|]; } } void Step1() => Step2(); void Step2() { lock (_b) { _x++; } } void M2() { lock (_b) { [|TakeA()|]; } } void TakeA() { lock (_a) { _x++; } } }",
        // Statics of two classes.
        """
        static class Accounts { public static readonly object Gate = new(); public static void Move() { lock (Gate) { lock ([|Audit.Gate|]) { } } } }
        static class Audit { public static readonly object Gate = new(); public static void Log() { lock (Gate) { lock ([|Accounts.Gate|]) { } } } }
        """,
        // Monitor.Enter/Exit.
        Prelude + "void M1() { Monitor.Enter(_a); try { lock ([|_b|]) { } } finally { Monitor.Exit(_a); } } void M2() { lock (_b) { [|Monitor.Enter(_a)|]; Monitor.Exit(_a); } } }",
        // System.Threading.Lock with EnterScope and lock.
        Prelude + "void M1() { using (_la.EnterScope()) { using ([|_lb.EnterScope()|]) { } } } void M2() { lock (_lb) { lock ([|_la|]) { } } } }",
        // Brigade's DetectingLock.
        Prelude + "void M1() { using (_da.Acquire()) { using ([|_db.Acquire()|]) { } } } void M2() { using (_db.Acquire()) { using ([|_da.Acquire()|]) { } } } }",
        // A lock statement and a Brigade lock mixed.
        Prelude + "void M1() { lock (_a) { using ([|_da.Acquire()|]) { } } } void M2() { using (_da.Acquire()) { lock ([|_a|]) { } } } }",
        // Three locks in a cycle.
        Prelude + "void M1() { lock (_a) { lock ([|_b|]) { } } } void M2() { lock (_b) { lock ([|s_c|]) { } } } void M3() { lock (s_c) { lock ([|_a|]) { } } } }",
        // Using declarations.
        Prelude + "void M1() { using var s = _da.Acquire(); using var t = [|_db.Acquire()|]; _x++; } void M2() { using var s = _db.Acquire(); using var t = [|_da.Acquire()|]; _x++; } }",
        // Asynchronous acquisitions.
        Prelude + "async Task M1() { using (await _da.AcquireAsync()) { using (await [|_db.AcquireAsync()|]) { } } } async Task M2() { using (await _db.AcquireAsync()) { using (await [|_da.AcquireAsync()|]) { } } } }",
        // Through a constructor and a property getter.
        """
        class Inner { public static readonly object Gate = new(); public Inner() { lock (Gate) { } } }
        class Outer { static readonly object s_gate = new(); static int Count { get { lock (s_gate) { return 1; } } }
          void M1() { lock (s_gate) { _ = [|new Inner()|]; } } void M2() { lock (Inner.Gate) { _ = [|Count|]; } } }
        """,
        // lock (this) against typeof.
        "class D { void M1() { lock (this) { lock ([|typeof(D)|]) { } } } void M2() { lock (typeof(D)) { lock ([|this|]) { } } } }",
        // A local function called under a lock.
        Prelude + "void M1() { lock (_a) { [|Local()|]; } void Local() { lock (_b) { } } } void M2() { lock (_b) { lock ([|_a|]) { } } } }",
    ];

    public static TheoryData<string> Correct =>
    [
        Prelude + "void M1() { lock (_a) { lock (_b) { } } } void M2() { lock (_a) { lock (_b) { _x++; } } } }",
        Prelude + "void M1() { lock (_a) { _x++; } } void M2() { lock (_b) { _x++; } } }",
        Prelude + "void M1() { lock (_a) { } lock (_b) { } } void M2() { lock (_b) { } lock (_a) { } } }",
        Prelude + "void M1() { lock (_a) { Action f = () => { lock (_b) { } }; } } void M2() { lock (_b) { lock (_a) { } } } }",
        Prelude + "void M1() { Monitor.Enter(_a); Monitor.Exit(_a); lock (_b) { } } void M2() { lock (_b) { lock (_a) { } } } }",
        Prelude + "void M1() { lock (_a) { _x++; } TakeB(); } void TakeB() { lock (_b) { } } void M2() { lock (_b) { lock (_a) { } } } }",
        Prelude + "void M1() { lock (_a) { using (_db.TryAcquire(TimeSpan.FromSeconds(1))) { } } } void M2() { using (_db.Acquire()) { lock (_a) { } } } }",
        Prelude + "void M1() { lock (_a) { lock (_a) { _x++; } } } }",
        Prelude + "void M1() { lock (_a) { TakeB(); } } void TakeB() { lock (_b) { } } void M2() { lock (_a) { lock (_b) { } } } }",
        Prelude + "int Fact(int n) { lock (_a) { return n <= 1 ? 1 : n * Fact(n - 1); } } void M() { lock (_a) { lock (_b) { } } } }",
        Prelude + "void M1() { { using var s = _da.Acquire(); } using var t = _db.Acquire(); } void M2() { using (_db.Acquire()) { using (_da.Acquire()) { } } } }",
        Prelude + "void M1(object o1, object o2) { lock (o1) { lock (o2) { } } } void M2(object o1, object o2) { lock (o2) { lock (o1) { } } } }",
        Prelude + "void M1() { var s = _da.Acquire(); s.Dispose(); using (_db.Acquire()) { } } void M2() { using (_db.Acquire()) { using (_da.Acquire()) { } } } }",
    ];

    [Theory]
    [MemberData(nameof(Buggy))]
    public Task Flags_both_acquisitions_of_an_inversion(string source) => Verifier.AnalyzerAsync(source);

    [Theory]
    [MemberData(nameof(Correct))]
    public Task Leaves_one_global_order_alone(string source) => Verifier.AnalyzerAsync(source);

    [Fact]
    public Task Message_gives_the_path_of_both_orders() => Verifier.AnalyzerAsync(
        Prelude + """
            void M1() { lock (_a) { {|#0:TakeB()|}; } }
            void TakeB() { lock (_b) { _x++; } }
            void M2() { lock (_b) { lock ({|#1:_a|}) { _x++; } } }
        }
        """,
        Verifier.Diagnostic().WithLocation(0).WithArguments(
            "C._b", "C._a", "C.M1 holds 'C._a' (Test0.cs:21) and calls C.TakeB (Test0.cs:21), which takes 'C._b' (Test0.cs:22)", "C.M2 holds 'C._b' (Test0.cs:23) and takes 'C._a' (Test0.cs:23)"),
        Verifier.Diagnostic().WithLocation(1).WithArguments(
            "C._a", "C._b", "C.M2 holds 'C._b' (Test0.cs:23) and takes 'C._a' (Test0.cs:23)", "C.M1 holds 'C._a' (Test0.cs:21) and calls C.TakeB (Test0.cs:21), which takes 'C._b' (Test0.cs:22)"));
}
