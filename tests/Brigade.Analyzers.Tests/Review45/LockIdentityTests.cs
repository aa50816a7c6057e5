using V2001 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2001LockOrderInversionAnalyzer>;

namespace Brigade.Analyzers.Tests.Review45;

// Review 45 (the analyzers over other code bases): microsoft/vs-threading's AsyncReaderWriterLock locks both its field
// `syncObject` and the property `SyncObject { get { return this.syncObject; } }`, one object under two names: BRG2001
// took them for two locks and reported 19 inversions between them. Its JoinableTaskContext holds `SyncContextLock`, then
// another lock, then calls a method that takes `SyncContextLock` again: re-entry, which waits for no one, reported as the
// reverse order (3 diagnostics).
public sealed class LockIdentityTests
{
    private const string Prelude = """
        class C
        {
            readonly object _a = new();
            readonly object _b = new();
            int _x;

        """;

    public static TheoryData<string> Correct =>
    [
        // A property whose getter returns a field is that field's lock.
        Prelude + "object A { get { return this._a; } } void M1() { lock (A) { lock (_a) { _x++; } } } void M2() { lock (_a) { lock (A) { _x++; } } } }",
        Prelude + "object A => _a; void M1() { lock (A) { TakeA(); } } void TakeA() { lock (_a) { _x++; } } void M2() { lock (_a) { lock (A) { _x++; } } } }",
        Prelude + "object A { get => _a; } void M1() { lock (A) { lock (_a) { _x++; } } } void M2() { lock (_a) { Take(); } } void Take() { lock (A) { _x++; } } }",
        // through two properties, and from a derived class
        Prelude + "object A => _a; object Gate => A; void M1() { lock (Gate) { lock (_a) { _x++; } } } void M2() { lock (_a) { lock (Gate) { _x++; } } } }",
        """
        class Base { protected readonly object _sync = new(); protected object SyncObject => _sync; }
        class Derived : Base { readonly object _other = new(); void M1() { lock (SyncObject) { lock (_sync) { } } } void M2() { lock (_sync) { lock (SyncObject) { } } } }
        """,
        // of another instance, as a field read from another instance is
        Prelude + "object A => _a; void M1(C other) { lock (other.A) { lock (_a) { _x++; } } } void M2() { lock (_a) { lock (A) { _x++; } } } }",

        // Re-entry: a lock taken again while it is held further out, directly or through a call.
        Prelude + "void M() { lock (_a) { lock (_b) { lock (_a) { _x++; } } } } }",
        Prelude + "void M() { lock (_a) { lock (_b) { TakeA(); } } } void TakeA() { lock (_a) { _x++; } } }",
        Prelude + "void M() { lock (_a) { lock (_b) { Deep(); } } } void Deep() => TakeA(); void TakeA() { lock (_a) { _x++; } } }",
        Prelude + "void M() { Monitor.Enter(_a); try { lock (_b) { TakeA(); } } finally { Monitor.Exit(_a); } } void TakeA() { lock (_a) { _x++; } } }",
    ];

    public static TheoryData<string> Buggy =>
    [
        // A property returning another field is that field: the inversion with it is now seen.
        Prelude + "object B => _b; void M1() { lock (B) { lock ([|_a|]) { _x++; } } } void M2() { lock (_a) { lock ([|_b|]) { _x++; } } } }",
        // A getter doing more than returning a field keeps the property as a lock of its own.
        Prelude + "object A { get { _x++; return _a; } } void M1() { lock (A) { lock ([|_b|]) { } } } void M2() { lock (_b) { lock ([|A|]) { } } } }",
        // A plain inversion is still one.
        Prelude + "void M1() { lock (_a) { lock ([|_b|]) { _x++; } } } void M2() { lock (_b) { lock ([|_a|]) { _x++; } } } }",
        // The lock taken again is not held further out here: the call takes it while holding only the other.
        Prelude + "void M1() { lock (_b) { [|TakeA()|]; } } void TakeA() { lock (_a) { _x++; } } void M2() { lock (_a) { lock ([|_b|]) { TakeA(); } } } }",
        // Held, then released before the inner lock: no longer re-entry.
        Prelude + "void M1() { Monitor.Enter(_a); Monitor.Exit(_a); lock (_b) { [|TakeA()|]; } } void TakeA() { lock (_a) { _x++; } } void M2() { lock (_a) { lock ([|_b|]) { } } } }",
    ];

    [Theory]
    [MemberData(nameof(Correct))]
    public Task BRG2001_correct(string source) => V2001.AnalyzerAsync(source);

    [Theory]
    [MemberData(nameof(Buggy))]
    public Task BRG2001_buggy(string source) => V2001.AnalyzerAsync(source);
}
