using System.Diagnostics;

namespace Brigade.Cli.Tests.Review67Run;

/// <summary>
/// run67: <c>--fail-fast</c> under the default engine (auto) let the commands running when an item failed run to their
/// end in 3 runs of 5 (their results written), where docs/run.md says they are stopped.
/// </summary>
public sealed class FailFastAutoTests
{
    [Fact(Timeout = 300_000)]
    public async Task UnderTheDefaultEngine_TheFirstFailureStopsTheRunningCommands()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        var input = string.Concat(Enumerable.Range(1, 20).Select(static i => $"{i}\n"));
        var took = Stopwatch.StartNew();
        var (exit, _, stderr) = await CliProcess.RunAsync(dir.Path, null, input, TimeSpan.FromSeconds(240),
            "run", "-", "-x", "if [ {} = 1 ]; then sleep 2; exit 5; fi; sleep 30; echo {}", "-j", "20", "--fail-fast", "-o", "out.txt");
        took.Stop();

        Assert.Equal(1, exit);
        Assert.Contains("stopped at the first failure (--fail-fast)", stderr, StringComparison.Ordinal);

        // Failed before (3 runs of 5): the others' `sleep 30` ran to its end after item 1 failed, their lines written.
        // Item 1 fails 2 s after it started, while the others sleep: none of them ends.
        Assert.Equal("", await File.ReadAllTextAsync(Path.Combine(dir.Path, "out.txt")));
        Assert.True(took.Elapsed < TimeSpan.FromSeconds(120), $"took {took.Elapsed.TotalSeconds:0.0} s\n{stderr}");
    }
}
