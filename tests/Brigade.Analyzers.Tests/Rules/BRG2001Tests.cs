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
            readonly SemaphoreSlim _sa = new(1, 1);
            readonly SemaphoreSlim _sb = new(1);
            readonly SemaphoreSlim _pool = new(4);
            readonly ReaderWriterLockSlim _rw = new();
            readonly List<int> _l = new();
            readonly List<int> _m = new();
            const string Orders = "orders";
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
        // Review 29c #10: SemaphoreSlim as an async mutex, with a lock, ReaderWriterLockSlim write locks, string literals.
        Prelude + "async Task M1() { await _sa.WaitAsync(); try { await [|_sb.WaitAsync()|]; _sb.Release(); } finally { _sa.Release(); } } async Task M2() { await _sb.WaitAsync(); try { await [|_sa.WaitAsync()|]; _sa.Release(); } finally { _sb.Release(); } } }",
        Prelude + "void M1() { lock (_a) { [|_sa.Wait()|]; _sa.Release(); } } void M2() { _sa.Wait(); try { lock ([|_a|]) { } } finally { _sa.Release(); } } }",
        Prelude + "void M1() { _rw.EnterWriteLock(); try { lock ([|_a|]) { } } finally { _rw.ExitWriteLock(); } } void M2() { lock (_a) { [|_rw.EnterUpgradeableReadLock()|]; _rw.ExitUpgradeableReadLock(); } } }",
        Prelude + "void M1() { lock (Orders) { lock ([|\"stock\"|]) { } } } void M2() { lock (\"stock\") { lock ([|\"orders\"|]) { } } } }",
        // A release followed by a return leaves the lock held on the path that goes on.
        Prelude + "void M1() { Monitor.Enter(_a); if (_x == 0) { Monitor.Exit(_a); return; } lock ([|_b|]) { } Monitor.Exit(_a); } void M2() { lock (_b) { lock ([|_a|]) { } } } }",
        // A Mutex and a SpinLock.
        """
        class M { readonly object _a = new(); readonly Mutex _mx = new();
          void M1() { lock (_a) { [|_mx.WaitOne()|]; _mx.ReleaseMutex(); } } void M2() { _mx.WaitOne(); try { lock ([|_a|]) { } } finally { _mx.ReleaseMutex(); } } }
        """,
        """
        class S { readonly object _a = new(); SpinLock _sl = new(false);
          void M1() { lock (_a) { bool t = false; [|_sl.Enter(ref t)|]; _sl.Exit(); } } void M2() { bool t = false; _sl.Enter(ref t); lock ([|_a|]) { } _sl.Exit(); } }
        """,
        // Review 29c #8: a BCL property is keyed by its receiver: the same collection's SyncRoot in both orders.
        Prelude + "void M1() { lock (((System.Collections.ICollection)_l).SyncRoot) { lock ([|_a|]) { } } } void M2() { lock (_a) { lock ([|((System.Collections.ICollection)_l).SyncRoot|]) { } } } }",
        // Review 29c #11: lock (this) in a base class and the reverse order in a derived class.
        """
        class Base { protected static readonly object Gate = new(); public void M1() { lock (this) { lock ([|Gate|]) { } } } }
        class Derived : Base { public void M2() { lock (Gate) { lock ([|this|]) { } } } }
        """,
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
        // Review 29c #8: SyncRoot of two collections, or of a collection the code creates, are different locks.
        Prelude + "void M1() { lock (((System.Collections.ICollection)_l).SyncRoot) { lock (_a) { } } } void M2() { lock (_a) { lock (((System.Collections.ICollection)new List<int>()).SyncRoot) { } } } }",
        Prelude + "void M1() { lock (((System.Collections.ICollection)_l).SyncRoot) { lock (_a) { } } } void M2() { lock (_a) { lock (((System.Collections.ICollection)_m).SyncRoot) { } } } }",
        // Review 29c #9: a Monitor.Exit in an if, outside any try, ends the hold.
        Prelude + "void M1() { bool taken = false; Monitor.Enter(_a, ref taken); _x++; if (taken) Monitor.Exit(_a); lock (_b) { } } void M2() { lock (_b) { lock (_a) { } } } }",
        // Review 29c #10: a semaphore of several permits, a Wait with a timeout, read locks, different strings.
        Prelude + "void M1() { lock (_a) { _pool.Wait(); _pool.Release(); } } void M2() { _pool.Wait(); try { lock (_a) { } } finally { _pool.Release(); } } }",
        Prelude + "void M1() { lock (_a) { if (_sa.Wait(100)) { _sa.Release(); } } } void M2() { _sa.Wait(); try { lock (_a) { } } finally { _sa.Release(); } } }",
        Prelude + "void M1() { _rw.EnterReadLock(); try { lock (_a) { } } finally { _rw.ExitReadLock(); } } void M2() { lock (_a) { _rw.EnterReadLock(); _rw.ExitReadLock(); } } }",
        Prelude + "void M1() { _sa.Wait(); _sa.Release(); lock (_a) { } } void M2() { lock (_a) { _sa.Wait(); _sa.Release(); } } }",
        Prelude + "void M1() { lock (\"orders\") { lock (\"stock\") { } } } void M2() { lock (\"stock\") { lock (\"audit\") { } } } }",
        // Review 29c #11: two classes derived from one base, each with its own order, are different objects.
        """
        class Base { protected static readonly object Gate = new(); public void M0() { lock (this) { } } }
        class D1 : Base { public void M1() { lock (this) { lock (Gate) { } } } }
        class D2 : Base { public void M2() { lock (Gate) { lock (this) { } } } }
        """,
        "class Base { public void M1() { lock (this) { Other(); } } protected virtual void Other() { lock (this) { } } } class Derived : Base { public void M2() { lock (this) { } } }",
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
            "C._b", "C._a", "C.M1 holds 'C._a' (Test0.cs:28) and calls C.TakeB (Test0.cs:28), which takes 'C._b' (Test0.cs:29)", "C.M2 holds 'C._b' (Test0.cs:30) and takes 'C._a' (Test0.cs:30)"),
        Verifier.Diagnostic().WithLocation(1).WithArguments(
            "C._a", "C._b", "C.M2 holds 'C._b' (Test0.cs:30) and takes 'C._a' (Test0.cs:30)", "C.M1 holds 'C._a' (Test0.cs:28) and calls C.TakeB (Test0.cs:28), which takes 'C._b' (Test0.cs:29)"));
}
