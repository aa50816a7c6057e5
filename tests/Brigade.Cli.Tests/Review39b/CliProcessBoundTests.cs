using System.Diagnostics;

namespace Brigade.Cli.Tests.Review39b;

/// <summary>
/// <see cref="CliProcess.RunAsync(string, IReadOnlyDictionary{string, string}?, string?, TimeSpan?, string[])"/> holds
/// the caller's bound: it had a fixed 60 s limit of its own, so a caller allowing 120 s (AutoModeCliTests) got 60, and a
/// brigade that overran it was left running. Leftover of review 39 (test infrastructure).
/// </summary>
public sealed class CliProcessBoundTests
{
    [Fact(Timeout = 60_000)]
    public async Task RunAsync_TheCallersBoundHolds_AndTheOverrunningBrigadeIsKilled()
    {
        using var dir = new TempDirectory();
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<TimeoutException>(() =>
            CliProcess.RunAsync(dir.Path, environment: null, stdin: "1\n", timeout: TimeSpan.FromSeconds(1), "run", "-", "--exec", "sleep 40", "-q"));

        // Coarse: the command sleeps 40 s, and the default bound is 60 s.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
        Assert.Contains("did not end within 1 s", error.Message, StringComparison.Ordinal);
    }
}
