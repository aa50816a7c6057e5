using System.Diagnostics;

namespace Brigade.Cli.Tests.Review45;

/// <summary>
/// A terminal made shorter while a run shows its status line (a tmux pane split, a window dragged smaller) keeps the
/// cursor on its last row, which is the new status row, below the new scroll region: there a new line does not scroll,
/// and every result after the resize was written over the one before it on that row: tmux from 8 to 5 rows showed
/// results 1-16 of 40, then the summary. Made taller again, tmux pulls lines back from the scrollback, and the old status
/// row that brigade cleared then held a result (one gone from view).
/// </summary>
public sealed class TerminalResizeTests
{
    private const int Items = 16;

    [Fact(Timeout = 150_000)]
    public async Task Run_OnATerminalResizedMidRun_LeavesEveryResultLineInTheScrollback()
    {
        if (!File.Exists(Tmux.Path))
        {
            Assert.True(Environment.GetEnvironmentVariable("BRIGADE_SKIP_TERMINAL_TESTS") == "1",
                "tmux is not installed (./test.sh installs it, or apt-get install tmux; BRIGADE_SKIP_TERMINAL_TESTS=1 skips this test)");
            return;
        }

        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("items.txt"), Enumerable.Range(1, Items).Select(i => $"{i}"));
        var socket = "brigade-test-" + Guid.NewGuid().ToString("N")[..12];
        await File.WriteAllTextAsync(dir.File("run.sh"),
            $"cd '{dir.Path}' && dotnet '{CliProcess.CliDll}' run items.txt -x 'sleep 0.7; echo result-{{#}}' -j 1 -e threads; echo BRIGADE-EXIT=$?; {Tmux.Signal(socket, "done")}; sleep 600\n");

        await Tmux.RunAsync(socket, "new-session", "-d", "-x", "80", "-y", "8", "-s", "t", $"sh '{dir.File("run.sh")}'");
        try
        {
            // Shorter just after result 4, taller just after result 8: right after a result, so that the status line's next
            // poll (0.2 s) sees the resize before the next result (0.7 s) is written; until then the terminal's own reset
            // scroll region lets a result land on the old status row (docs/run.md).
            var deadline = Stopwatch.StartNew();
            var resized = 0;
            var finished = false;
            while (resized < 2 && !finished && deadline.Elapsed < TimeSpan.FromSeconds(120))
            {
                var screen = await Tmux.RunAsync(socket, "capture-pane", "-p", "-t", "t");
                var (after, rows) = resized == 0 ? ("result-4\n", 5) : ("result-8\n", 12);
                if (resized < 2 && screen.Contains(after, StringComparison.Ordinal))
                {
                    await Tmux.RunAsync(socket, "resize-window", "-t", "t", "-x", "80", "-y", $"{rows}");
                    resized++;
                }

                finished = screen.Contains("BRIGADE-EXIT=", StringComparison.Ordinal);
                await Task.Delay(50);
            }

            // The rest of the run (eight results, ~6 s) has nothing to watch for: its end is waited for (tmux wait-for), not
            // polled (~120 captures until suite72); then read until its last line is on the screen (the server may take the
            // signal before the pane's last bytes: once, as a rule).
            if (!finished)
            {
                await Tmux.WaitForAsync(socket, "done", TimeSpan.FromSeconds(120) - deadline.Elapsed);
            }

            while (!finished && deadline.Elapsed < TimeSpan.FromSeconds(120))
            {
                finished = (await Tmux.RunAsync(socket, "capture-pane", "-p", "-t", "t")).Contains("BRIGADE-EXIT=", StringComparison.Ordinal);
                await Task.Delay(finished ? 0 : 50);
            }

            Assert.True(finished, "brigade run did not finish within 120 s");
            var all = (await Tmux.RunAsync(socket, "capture-pane", "-p", "-S", "-", "-E", "-", "-t", "t")).Split('\n').Select(l => l.TrimEnd()).ToList();
            Assert.Equal(Enumerable.Range(1, Items).Select(i => $"result-{i}"), all.Where(l => l.StartsWith("result-", StringComparison.Ordinal)));
            Assert.Contains("BRIGADE-EXIT=0", all);
            Assert.True(resized == 2, $"resized {resized} times of 2");
        }
        finally
        {
            await Tmux.RunAsync(socket, "kill-server");
        }
    }
}
