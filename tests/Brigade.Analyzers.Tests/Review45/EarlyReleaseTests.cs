using V2001 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2001LockOrderInversionAnalyzer>;

namespace Brigade.Analyzers.Tests.Review45;

// Review 45: Npgsql's NpgsqlConnector.Break releases a lock early, waits for another, and returns:
// `Monitor.Enter(SyncObj); if (state == Broken) { Monitor.Exit(SyncObj); lock (CleanupLock) { } return reason; }`.
// BRG2001 kept SyncObj held for the rest of that block too, so `lock (CleanupLock)` looked taken under it.
public sealed class EarlyReleaseTests
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
        // After an early release, the rest of its block does not hold the lock.
        Prelude + "void M1() { Monitor.Enter(_a); if (_x > 0) { Monitor.Exit(_a); lock (_b) { } return; } try { _x++; } finally { Monitor.Exit(_a); } } void M2() { lock (_b) { lock (_a) { } } } }",
        Prelude + "int M1() { Monitor.Enter(_a); if (_x > 0) { Monitor.Exit(_a); TakeB(); return 0; } Monitor.Exit(_a); return 1; } void TakeB() { lock (_b) { } } void M2() { lock (_b) { lock (_a) { } } } }",
        Prelude + "void M1() { while (_x > 0) { Monitor.Enter(_a); if (_x > 1) { Monitor.Exit(_a); lock (_b) { } continue; } Monitor.Exit(_a); } } void M2() { lock (_b) { lock (_a) { } } } }",
    ];

    public static TheoryData<string> Buggy =>
    [
        // The code after the early release's block still holds the lock.
        Prelude + "void M1() { Monitor.Enter(_a); if (_x > 0) { Monitor.Exit(_a); return; } lock ([|_b|]) { } Monitor.Exit(_a); } void M2() { lock (_b) { lock ([|_a|]) { } } } }",
        // Taken before the early release, in its block.
        Prelude + "void M1() { Monitor.Enter(_a); if (_x > 0) { lock ([|_b|]) { } Monitor.Exit(_a); return; } Monitor.Exit(_a); } void M2() { lock (_b) { lock ([|_a|]) { } } } }",
        // Released in a nested block that jumps: the enclosing block's code after it still holds the lock.
        Prelude + "void M1() { Monitor.Enter(_a); { if (_x > 0) { Monitor.Exit(_a); return; } lock ([|_b|]) { } } Monitor.Exit(_a); } void M2() { lock (_b) { lock ([|_a|]) { } } } }",
    ];

    [Theory]
    [MemberData(nameof(Correct))]
    public Task BRG2001_correct(string source) => V2001.AnalyzerAsync(source);

    [Theory]
    [MemberData(nameof(Buggy))]
    public Task BRG2001_buggy(string source) => V2001.AnalyzerAsync(source);
}
