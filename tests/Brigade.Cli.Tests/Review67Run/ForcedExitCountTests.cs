using System.Globalization;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Review67Run;

/// <summary>
/// run67: a run ended at once by a second signal said "1,350 items delivered" while its output held 1,342 lines: the
/// count was of the results handed to the output's buffer, which a process ended at once never writes. It now counts
/// those the outputs hold (the last watermark's).
/// </summary>
public sealed class ForcedExitCountTests
{
    [Fact(Timeout = 180_000)]
    public async Task TheForcedExitLine_NeverCountsMoreItemsThanTheOutputHolds()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        var input = dir.File("in.txt");
        // 150 echo commands (3,000 until suite68, 1,000 until suite70): the outputs are flushed at a watermark every 100 ms,
        // so a line that counts the buffer leads the file within the first checks. The pre-run67 count (the buffer's,
        // _counters.Delivered) was red 3 of 3 at 30 commands (suite70: "said 1, the output held 0" from the first checks)
        // and at 100 and 1,000; 150 keeps five times that margin. Each command is a process start (~10 ms of CPU, half of it
        // system time): 850 fewer were ~8 s of the suite's CPU for the same check.
        await File.WriteAllTextAsync(input, string.Concat(Enumerable.Range(1, 150).Select(static i => $"{i}\n")));
        var output = dir.File("out.txt");
        var options = new RunJobOptions
        {
            Input = input,
            Work = new ExecWork(CommandTemplate.Parse("echo {}"), null, JobRetry.None),
            Engine = Engine.Threads,
            Jobs = 4,
            Output = output,
            CommandLine = "brigade run in.txt -x 'echo {}' -o out.txt",
        };
        var job = new BatchJob(options, new StringWriter(), new StringWriter(), interactive: false);
        using var cts = new CancellationTokenSource();
        var run = Task.Run(() => job.RunAsync(cts.Token));

        // What the line says, then what the file holds: the file only grows, so the count must never be ahead of it.
        var checks = 0;
        var ahead = new List<string>();
        while (!run.IsCompleted)
        {
            var line = job.ForcedExitLine();
            var count = System.Text.RegularExpressions.Regex.Match(line, @"signal: ([0-9,]+) items? delivered");
            Assert.True(count.Success, line);
            var said = long.Parse(count.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
            var held = File.Exists(output) ? File.ReadAllBytes(output).Count(static b => b == (byte)'\n') : 0;
            checks++;
            if (said > held)
            {
                ahead.Add($"said {said}, the output held {held}");
            }

            await Task.Delay(3);
        }

        Assert.Equal(0, await run);
        Assert.True(checks > 5, $"only {checks} checks");
        Assert.True(ahead.Count == 0, string.Join("\n", ahead.Take(10)));
    }
}
