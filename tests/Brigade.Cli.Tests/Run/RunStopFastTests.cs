using System.Diagnostics;
using System.Globalization;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Run;

/// <summary>
/// run68: stopping many commands at once (<c>--fail-fast</c>, Ctrl+C) and killing whole trees (<c>--timeout</c>).
/// Each killed command waited for its group to die by reading every process of the system (ProcessGroup) every 10-100 ms,
/// each on its own: 40 commands stopped together read the system 40 times or more per round, on the few threads of the
/// pool, and a <c>--fail-fast</c> run at load 15 took 0.9-1.2 s from the failure to its end (~3 s at load 40). The waits
/// now share one reading per round.
/// </summary>
public sealed class RunStopFastTests
{
    [Fact(Timeout = 180_000)]
    public async Task FortyCommandsStoppedTogether_ReadTheSystemFewerTimesThanThereAreCommands()
    {
        if (!OperatingSystem.IsLinux() || !ExecSpawner.IsAvailable)
        {
            return;
        }

        using var cts = new CancellationTokenSource();
        var runs = Enumerable.Range(0, 40).Select(_ => Task.Run(() => ExecRunner.RunAsync("sleep 300", null, cts.Token))).ToList();
        await Task.Delay(TimeSpan.FromSeconds(2));
        var scans = ProcessGroup.Scans;
        var took = Stopwatch.StartNew();
        await cts.CancelAsync();
        foreach (var run in runs)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        }

        took.Stop();

        // Failed before: every command read the system itself, at least once unless its group was reaped within 10 ms (43
        // readings for 40 commands at load 15). Now one reading serves every wait that began before it.
        var read = ProcessGroup.Scans - scans;
        Assert.True(read < 40, $"40 killed commands read every process {read} times");
        Assert.True(took.Elapsed < TimeSpan.FromSeconds(60), $"took {took.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact(Timeout = 300_000)]
    public async Task FailFast_StopsFortyLongCommands_KeepingTheResultsDeliveredBefore()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        var failedAt = dir.File("failed.at");

        // Ten quick items, forty that sleep 300 s, and one that fails once they all run.
        var items = Enumerable.Range(1, 10).Select(static i => $"q{i}").Concat(Enumerable.Range(1, 40).Select(static i => $"s{i}")).Append("x");
        var command = $"case {{}} in q*) echo {{}};; s*) sleep 300;; x) sleep 3; date +%s.%N > {failedAt}; exit 5;; esac";
        var (exit, _, stderr) = await CliProcess.RunAsync(dir.Path, null, string.Concat(items.Select(static i => i + "\n")), TimeSpan.FromSeconds(240),
            "run", "-", "-x", command, "-j", "51", "-e", "threads", "--fail-fast", "-o", "out.txt", "--journal", "run.journal");
        var ended = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

        Assert.Equal(1, exit);
        Assert.Contains("stopped at the first failure (--fail-fast)", stderr, StringComparison.Ordinal);
        var failed = double.Parse((await File.ReadAllTextAsync(failedAt)).Trim(), CultureInfo.InvariantCulture);
        Assert.True(ended - failed < 15, $"{ended - failed:0.0} s from the failure to the end\n{stderr}");

        // Every quick item's line is in the output, and the journal holds it: a resume runs only the rest.
        var lines = (await File.ReadAllLinesAsync(dir.File("out.txt"))).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(Enumerable.Range(1, 10).Select(static i => $"q{i}").Order(StringComparer.Ordinal), lines);
        Assert.Contains("40 not run", stderr, StringComparison.Ordinal);
    }

    public static TheoryData<string> Spawners => ["", "process"];

    [Theory(Timeout = 180_000)]
    [MemberData(nameof(Spawners))]
    public async Task ATimedOutCommand_KillsItsGrandchildThatStartedASessionOfItsOwn(string spawner)
    {
        if (!OperatingSystem.IsLinux() || !File.Exists($"/proc/{Environment.ProcessId}/task/{Environment.ProcessId}/children"))
        {
            return;
        }

        var marker = Marker();
        await RunTimedOutAsync(spawner, $"setsid sh -c 'sleep {marker}' </dev/null >/dev/null 2>&1 & sleep 300");
        await AssertGoneAsync(marker);
    }

    [Theory(Timeout = 180_000)]
    [MemberData(nameof(Spawners))]
    public async Task ATimedOutCommand_ForkingWithoutPause_KillsItsGrandchildThatStartedASessionOfItsOwn(string spawner)
    {
        if (!OperatingSystem.IsLinux() || !File.Exists($"/proc/{Environment.ProcessId}/task/{Environment.ProcessId}/children"))
        {
            return;
        }

        // A child that forks short-lived children without pause (each starting one of its own), a setsid grandchild
        // started by another child, and the command's shell forking too.
        var marker = Marker();
        var command = "(while :; do sh -c 'true & true'; done) & " +
            $"sh -c 'setsid sh -c \"sleep {marker}\" </dev/null >/dev/null 2>&1 & while :; do true; done' & " +
            "while :; do /bin/true; done";
        await RunTimedOutAsync(spawner, command);
        await AssertGoneAsync(marker);
    }

    private static async Task RunTimedOutAsync(string spawner, string command)
    {
        using var dir = new TempDirectory();
        var environment = spawner.Length > 0 ? new Dictionary<string, string> { [ExecSpawner.SwitchVariable] = spawner } : null;
        var (exit, _, stderr) = await CliProcess.RunAsync(dir.Path, environment, "1\n", TimeSpan.FromSeconds(120),
            "run", "-", "-x", command + " # {}", "--timeout", "2s", "-j", "1", "-o", "out.txt", "-q");
        Assert.True(exit == 1, stderr);
        Assert.Contains("timed out", await File.ReadAllTextAsync(dir.File("out.txt.failures.jsonl")), StringComparison.Ordinal);
    }

    // A sleep no other test starts: its command line marks it.
    private static string Marker() => $"{4000 + Random.Shared.Next(1000)}.{Random.Shared.Next(1_000_000):D6}";

    private static async Task AssertGoneAsync(string marker)
    {
        var waited = Stopwatch.StartNew();
        List<int> left;
        while ((left = Sleeping(marker)).Count > 0 && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(100);
        }

        foreach (var pid in left)
        {
            try
            {
                Process.GetProcessById(pid).Kill();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Gone meanwhile.
            }
        }

        Assert.True(left.Count == 0, $"sleep {marker} outlived the kill: pids {string.Join(", ", left)}");
    }

    private static List<int> Sleeping(string marker) =>
        [.. ProcessTable.List().Where(p => p.CommandLine.Contains($"sleep {marker}", StringComparison.Ordinal) && !p.CommandLine.Contains("sh -c", StringComparison.Ordinal)).Select(static p => p.Pid)];
}
