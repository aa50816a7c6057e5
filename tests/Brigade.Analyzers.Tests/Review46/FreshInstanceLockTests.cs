using V2001 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2001LockOrderInversionAnalyzer>;

namespace Brigade.Analyzers.Tests.Review46;

// Review 46 (left by review 45): Npgsql's `PerformPostgresCancellation` holds `CancelLock` and calls `DoCancelRequest`
// on a connector it has just created (`var c = new NpgsqlConnector(this); c.DoCancelRequest(...)`), whose
// `FullCleanup` takes that connector's `CleanupLock`; `Break` holds `CleanupLock` and takes `CancelLock`. Locks keyed
// by field took the new connector's `CleanupLock` for any connector's, and reported the two as an inversion (2 false
// BRG2001). No other thread can hold a lock of an object this thread has just created and not let out: taking it never
// waits. `this` and a parameter of the same type may be one object: still reported.
public sealed class FreshInstanceLockTests
{
    private const string Connector = """
        sealed class Conn
        {
            static readonly List<Conn> s_all = new();
            readonly object _cancel = new();
            readonly object _cleanup = new();
            object CleanupLock { get; } = new();
            object _shared = new();
            Conn? _peer;
            int _x;

            public Conn() { }
            public Conn(List<Conn> all) { all.Add(this); }
            public Conn(Conn template) : this() { _x = template._x; }

            void DoCancel() { _x++; FullCleanup(); }
            void FullCleanup() { lock (_cleanup) { _x++; } }
            void CleanupThroughProperty() { lock (CleanupLock) { _x++; } }
            void LeakThenClean() { s_all.Add(this); FullCleanup(); }
            void CleanPeer() { _peer?.FullCleanup(); }
            void LockShared() { lock (_shared) { _x++; } }
            void Share(object o) => _shared = o;
            static void Register(Conn c) => s_all.Add(c);

        """;

    // The reverse orders, each marked where it is reported when the order above is seen.
    private const string Break = "void Break() { lock (_cleanup) { lock (_cancel) { _x++; } } } }";
    private const string BreakMarked = "void Break() { lock (_cleanup) { lock ([|_cancel|]) { _x++; } } } }";
    private const string BreakProperty = "void Break() { lock (CleanupLock) { lock (_cancel) { _x++; } } } }";
    private const string BreakShared = "void Break() { lock (_shared) { lock ([|_cancel|]) { _x++; } } } }";

    public static TheoryData<string> Correct =>
    [
        // Npgsql's shape: a method called on a connector just created takes that connector's lock.
        Connector + "void Cancel() { lock (_cancel) { var c = new Conn(this); c.DoCancel(); } }" + Break,
        Connector + "void Cancel() { lock (_cancel) { var c = new Conn(); c._x = 1; c.DoCancel(); } }" + Break,
        Connector + "void Cancel() { lock (_cancel) { new Conn().DoCancel(); } }" + Break,
        Connector + "void Cancel() { lock (_cancel) { Conn c = new(); c.CleanupThroughProperty(); } }" + BreakProperty,
        // its lock taken directly
        Connector + "void Cancel() { lock (_cancel) { var c = new Conn(); lock (c._cleanup) { c._x++; } } }" + Break,
        Connector + "void Cancel() { lock (_cancel) { var c = new Conn(); Monitor.Enter(c._cleanup); try { c._x++; } finally { Monitor.Exit(c._cleanup); } } }" + Break,
        // held while taking another lock: no other thread can hold it, nor wait for it
        Connector + "void Cancel() { var c = new Conn(); lock (c._cleanup) { lock (_cancel) { _x++; } } } void Other() { lock (_cancel) { lock (_cleanup) { _x++; } } } }",
    ];

    public static TheoryData<string> Buggy =>
    [
        // `this` and a parameter of the same type may be one object.
        Connector + "void Cancel(Conn other) { lock (_cancel) { [|other.DoCancel()|]; } }" + BreakMarked,
        // The object was let out before: passed on, stored, captured by a lambda, published by its constructor.
        Connector + "void Cancel() { lock (_cancel) { var c = new Conn(); Register(c); [|c.DoCancel()|]; } }" + BreakMarked,
        Connector + "void Cancel() { lock (_cancel) { var c = new Conn(); _peer = c; [|c.DoCancel()|]; } }" + BreakMarked,
        Connector + "void Cancel() { lock (_cancel) { var c = new Conn(); Task.Run(() => c.DoCancel()); [|c.DoCancel()|]; } }" + BreakMarked,
        Connector + "void Cancel() { lock (_cancel) { var c = new Conn(s_all); [|c.DoCancel()|]; } }" + BreakMarked,
        // ... or the method called publishes `this` before it takes the lock
        Connector + "void Cancel() { lock (_cancel) { var c = new Conn(); [|c.LeakThenClean()|]; } }" + BreakMarked,
        // The variable may hold another object by then.
        Connector + "void Cancel() { lock (_cancel) { var c = new Conn(); c = _peer!; [|c.DoCancel()|]; } }" + BreakMarked,
        // The lock is another object's: the new one's peer's, or a field that may be given a shared object.
        Connector + "void Cancel() { lock (_cancel) { var c = new Conn(); [|c.CleanPeer()|]; } }" + BreakMarked,
        Connector + "void Cancel() { lock (_cancel) { var c = new Conn(); [|c.LockShared()|]; } }" + BreakShared,
        Connector + "void Cancel() { lock (_cancel) { var c = new Conn(); lock ([|c._shared|]) { } } }" + BreakShared,
    ];

    [Theory]
    [MemberData(nameof(Correct))]
    public Task BRG2001_correct(string source) => V2001.AnalyzerAsync(source);

    [Theory]
    [MemberData(nameof(Buggy))]
    public Task BRG2001_buggy(string source) => V2001.AnalyzerAsync(source);
}
