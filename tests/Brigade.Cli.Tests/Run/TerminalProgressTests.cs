using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Brigade.Cli.Tests.Run;

/// <summary>
/// <c>brigade run</c> on a real 80×24 terminal (tmux): results on stdout scroll above the status line on stderr and
/// every one of them is left in the scrollback, in order; the status line fits the width and says percent and ETA once.
/// </summary>
public sealed class TerminalProgressTests
{
    // ~2.5 s at -j 3: a dozen status refreshes (200 ms apart) for the 50 ms captures to catch, and three commands' stderr at once.
    // 30 items each pausing 0.2 s between its two stderr lines, not 120 pausing 0.05 s (suite72): the same ten-odd waves
    // of three and the same run length, a quarter of the commands' processes (a shell and a sleep each), and a longer
    // pause for another command's line to land in, were a command's stderr not passed as a whole. 30 results and 60
    // stderr lines still scroll the 24-row terminal three times over.
    private const int Items = 30;

    /// <summary>
    /// One run checks both what a terminal shows of its results and of its commands' stderr (they were two tests, each
    /// starting tmux and brigade for a run of its own, until 2026-12-05).
    /// </summary>
    [Fact]
    public async Task Run_OnAn80ColumnTerminal_LeavesEveryResultLineInOrder_AndEachCommandsStderrWhole_BelowNoStatusLine()
    {
        if (!File.Exists(Tmux.Path))
        {
            Assert.True(Environment.GetEnvironmentVariable("BRIGADE_SKIP_TERMINAL_TESTS") == "1",
                "tmux is not installed (./test.sh installs it, or apt-get install tmux; BRIGADE_SKIP_TERMINAL_TESTS=1 skips this test)");
            return;
        }

        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("items.txt"), Enumerable.Range(1, Items).Select(i => $"item {i}"));
        var socket = "brigade-test-" + Guid.NewGuid().ToString("N")[..12];
        var script = dir.File("run.sh");
        await File.WriteAllTextAsync(script,
            $"cd '{dir.Path}' && dotnet '{CliProcess.CliDll}' run items.txt -x 'echo note-{{#}}-a >&2; sleep 0.2; echo note-{{#}}-b >&2; echo result-{{#}}' -j 3; echo BRIGADE-EXIT=$?; sleep 600\n");

        await Tmux.RunAsync(socket, "new-session", "-d", "-x", "80", "-y", "24", "-s", "t", $"sh '{script}'");
        try
        {
            var statusLines = new List<string>();
            var finished = false;
            var deadline = Stopwatch.StartNew();
            while (!finished && deadline.Elapsed < TimeSpan.FromSeconds(90))
            {
                var screen = await Tmux.RunAsync(socket, "capture-pane", "-p", "-t", "t");
                var rows = screen.Split('\n');
                statusLines.AddRange(rows.Where(r => r.Contains("ETA", StringComparison.Ordinal)));
                finished = screen.Contains("BRIGADE-EXIT=", StringComparison.Ordinal);
                await Task.Delay(50);
            }

            Assert.True(finished, "brigade run did not finish within 90 s");
            var all = (await Tmux.RunAsync(socket, "capture-pane", "-p", "-S", "-", "-E", "-", "-t", "t")).Split('\n').Select(l => l.TrimEnd()).ToList();

            // Every result, whole, on its own line, in input order.
            var results = all.Where(l => l.Contains("result-", StringComparison.Ordinal)).ToList();
            Assert.Equal(Enumerable.Range(1, Items).Select(i => $"result-{i}"), results);
            Assert.Contains(all, l => l.StartsWith($"brigade run: {Items} items, 0 failed", StringComparison.Ordinal));
            Assert.Contains("BRIGADE-EXIT=0", all);
            Assert.True(all.FindIndex(l => l == $"result-{Items}") < all.FindIndex(l => l.StartsWith("brigade run:", StringComparison.Ordinal)));

            // Each command's two stderr lines together, whole.
            Assert.Equal(Items * 2, all.Count(l => l.Contains("note-", StringComparison.Ordinal)));
            foreach (var i in Enumerable.Range(1, Items))
            {
                var a = all.IndexOf($"note-{i}-a");
                Assert.True(a >= 0 && all[a + 1] == $"note-{i}-b", $"command {i}'s stderr is not two whole lines together:\n{string.Join('\n', all)}");
            }

            // The status line was there while it ran, fitted 80 columns, said percent and ETA once; and it is gone.
            Assert.NotEmpty(statusLines);
            foreach (var status in statusLines)
            {
                Assert.True(status.TrimEnd().Length < 80, $"status line wider than the terminal: '{status}'");
                Assert.Single(Regex.Matches(status, "%"));
                Assert.Single(Regex.Matches(status, "ETA"));
            }

            Assert.DoesNotContain(all, l => l.Contains("ETA", StringComparison.Ordinal));
        }
        finally
        {
            await Tmux.RunAsync(socket, "kill-server");
        }
    }
}
