using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Run;

/// <summary>
/// run68: a run ended at once by a second signal with <c>-o -</c> and a journal said fewer items delivered than stdout
/// held: the count was the last watermark's, and results kept coming to stdout while the line was said and after it,
/// until the process ended. The forced exit now holds the outputs first, and counts what they got.
/// </summary>
public sealed class RunForcedExitStdoutTests
{
    [Fact(Timeout = 180_000)]
    public async Task TheForcedExitLine_CountsTheItemsStdoutHolds_AndNoneComeAfterIt()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        var input = dir.File("in.txt");
        // 150 `echo` commands (3,000 until suite69, 1,000 until suite70). What goes red against run68's bug is the hold:
        // with `-o -` every delivery forces a watermark inside the write gate, so the count alone (the watermark's against
        // every result delivered) says the same either way, and reverting only it stays green (review 69). With the hold
        // taken out as well (the line said as before 00498916: nothing held, the watermark's count) results reach stdout
        // in the 5 ms after the line: red 3 of 3 at 30 commands (5-8 of 53-86 checks wrong, "said 0, stdout held 0, then
        // 1"), at 100 (19-22 of 107-126) and at 1,000 (178 of 941); 150 keeps five times the smallest count's margin.
        await File.WriteAllTextAsync(input, string.Concat(Enumerable.Range(1, 150).Select(static i => $"{i}\n")));
        var stdout = new LockedWriter();
        var options = new RunJobOptions
        {
            Input = input,
            Work = new ExecWork(CommandTemplate.Parse("echo {}"), null, JobRetry.None),
            Engine = Engine.Threads,
            Jobs = 4,
            Output = "-",
            JournalPath = dir.File("run.journal"),
            CommandLine = "brigade run in.txt -x 'echo {}' -o - --journal run.journal",
        };
        var job = new BatchJob(options, stdout, new StringWriter(), interactive: false);
        using var cts = new CancellationTokenSource();
        var run = Task.Run(() => job.RunAsync(cts.Token));

        var checks = 0;
        var wrong = new List<string>();
        while (!run.IsCompleted)
        {
            // What the line says, what stdout holds then, and a moment later: the held outputs take nothing more.
            var line = job.ForcedExitLine(holdOutputs: true);
            var heldThen = stdout.Lines;
            Thread.Sleep(5);
            var heldAfter = stdout.Lines;
            var held = job.OutputsHeld; // not before the outputs are open, nor when a write is stuck (not here)
            job.LetOutputsGo();
            if (!held)
            {
                await Task.Delay(3);
                continue;
            }

            var count = Regex.Match(line, @"signal: ([0-9,]+) items? delivered");
            Assert.True(count.Success, line);
            var said = long.Parse(count.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
            checks++;
            if (said != heldThen || heldAfter != heldThen)
            {
                wrong.Add($"said {said}, stdout held {heldThen}, then {heldAfter}");
            }

            await Task.Delay(3);
        }

        Assert.Equal(0, await run);
        Assert.True(checks > 5, $"only {checks} checks");
        Assert.True(wrong.Count == 0, $"{wrong.Count} of {checks}:\n" + string.Join("\n", wrong.Take(10)));
    }

    // Stdout for the run, whose lines a test counts while results come (a StringWriter is not safe for that).
    private sealed class LockedWriter : TextWriter
    {
        private readonly Lock _gate = new();
        private long _lines;

        public override Encoding Encoding => Encoding.UTF8;

        public long Lines
        {
            get
            {
                lock (_gate)
                {
                    return _lines;
                }
            }
        }

        public override void Write(char value)
        {
            lock (_gate)
            {
                if (value == '\n')
                {
                    _lines++;
                }
            }
        }

        public override void Write(char[] buffer, int index, int count)
        {
            lock (_gate)
            {
                _lines += buffer.AsSpan(index, count).Count('\n');
            }
        }

        public override void Write(string? value)
        {
            lock (_gate)
            {
                _lines += value.AsSpan().Count('\n');
            }
        }
    }
}
