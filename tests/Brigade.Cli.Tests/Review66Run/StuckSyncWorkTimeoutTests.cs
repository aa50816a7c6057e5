using System.Text.Json;

namespace Brigade.Cli.Tests.Review66Run;

/// <summary>
/// <c>brigade run --work T --timeout 1s</c> on an in-process engine, where T's synchronous <c>Execute</c> never returns for
/// one item (review 66): the run never ended. Its item's attempt ran inside the delegate the engine awaits, so the engine's
/// rule for work that ignores its timeout (abandoned a second past it) never saw a pending attempt, only a call that did
/// not return; the items after it were held behind it in the output and a SIGTERM's clean stop waited for it too
/// (`timeout 120 brigade run ...` still ran after 10 minutes).
/// </summary>
public sealed class StuckSyncWorkTimeoutTests
{
    [Theory(Timeout = 180_000)]
    [InlineData("threads")]
    [InlineData("sequential")]
    public async Task Run_SyncWorkThatNeverReturns_FailsAtItsTimeout_AndTheRunEnds(string engine)
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["a", "stuck-" + engine, "b"]);
        // On a thread of its own: before the fix the sequential engine blocked the caller inside the call.
        var run = Task.Run(() => CliRunner.RunAsync("run", dir.File("in.txt"), "--assembly", typeof(R66StuckWork).Assembly.Location, "--work", typeof(R66StuckWork).FullName!,
            "-e", engine, "-j", "2", "--timeout", "1s", "-o", dir.File("out.txt"), "-q"));

        // The stuck item is abandoned at 1 s + 1 s; 60 s is the bug's side only (it waited for ever), never a slow machine's.
        var ended = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60))) == run;
        R66StuckWork.Release("stuck-" + engine);
        var (code, _, stderr) = await run;

        Assert.True(ended, "the run did not end within 60 s of a 1 s --timeout: " + stderr);
        Assert.True(code == 1, stderr);
        Assert.Equal(["done-a", "done-b"], await File.ReadAllLinesAsync(dir.File("out.txt")));
        var failure = JsonDocument.Parse(Assert.Single(await File.ReadAllLinesAsync(dir.File("out.txt.failures.jsonl")))).RootElement;
        Assert.Equal(1, failure.GetProperty("index").GetInt32());
        Assert.Contains("timeout", failure.GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.False(File.Exists(dir.File("out.txt.journal")), "a finished run keeps no journal");
    }
}
