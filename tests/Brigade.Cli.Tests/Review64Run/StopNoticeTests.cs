using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Review64Run;

/// <summary>
/// run64: a Ctrl+C on a run of slow commands printed nothing until the stop was over, and a second one ended brigade
/// without a word. The first now says at once what the stop does and how to end it now; the second what it leaves and how
/// to resume. In-process (the token the signal cancels); the commands are <c>sleep</c>, no brigade process is started.
/// </summary>
public sealed class StopNoticeTests
{
    [Fact(Timeout = 120_000)]
    public async Task AStopSaysSoAtOnce_BeforeTheSummary_OnStderrOnly()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        var input = dir.File("in.txt");
        await File.WriteAllTextAsync(input, "1\n2\n3\n4\n5\n");
        var stderr = new LinesWriter();
        var stdout = new StringWriter();
        var options = new RunJobOptions
        {
            Input = input,
            Work = new ExecWork(CommandTemplate.Parse($"touch {dir.Path}/started.{{}}; sleep 120"), null, JobRetry.None),
            Engine = Engine.Async,
            Jobs = 2,
            Output = dir.File("out.txt"),
            CommandLine = "brigade run in.txt -x 'sleep 120' -o out.txt",
        };
        var job = new BatchJob(options, stdout, stderr, interactive: false);
        using var cts = new CancellationTokenSource();
        var run = Task.Run(() => job.RunAsync(cts.Token));

        // Both commands running (each touched its file), then the "Ctrl+C". Not the progress's count, which comes at
        // intervals: the line counts the commands themselves.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (Directory.GetFiles(dir.Path, "started.*").Length < 2 && !run.IsCompleted && waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(25);
        }

        Assert.Equal(2, Directory.GetFiles(dir.Path, "started.*").Length);
        await cts.CancelAsync();

        // Failed before: no such line; the summary ("...; interrupted. Resume with: ...") was the first word of the stop.
        var exit = await run.WaitAsync(TimeSpan.FromSeconds(60));
        var lines = stderr.Lines();
        var all = string.Join("\n", lines);
        Assert.Equal(130, exit);
        var stopping = lines.FindIndex(static l => l.StartsWith("brigade run: stopping: starting no new items, killing the 2 running commands (they run again on --resume)", StringComparison.Ordinal));
        var summary = lines.FindIndex(static l => l.Contains("; interrupted. Resume with: ", StringComparison.Ordinal));
        Assert.True(stopping >= 0 && summary > stopping, all);
        Assert.Contains("then the summary and the command to resume", lines[stopping], StringComparison.Ordinal);
        Assert.Equal("", stdout.ToString());
        Assert.Equal("", await File.ReadAllTextAsync(dir.File("out.txt")));

        // What a second signal would say before it ends brigade: the counts and the command to resume.
        var forced = job.ForcedExitLine();
        Assert.StartsWith("brigade run: ended at once by a second signal: 0 items delivered (0 failed), ", forced, StringComparison.Ordinal);
        Assert.Contains("Resume with: brigade run in.txt -x 'sleep 120' -o out.txt --resume", forced, StringComparison.Ordinal);
    }

    [Fact]
    public void TheStopLine_NamesTheSignalAndHowToEndAtOnce()
    {
        Assert.Equal(
            "brigade run: stopping (SIGINT): starting no new items, killing the 3 running commands (they run again on --resume), then the summary and the command to resume; Ctrl+C again ends brigade at once",
            BatchJob.StoppingLine("SIGINT", 3, commands: true, journal: true));
        Assert.Equal(
            "brigade run: stopping (SIGTERM): starting no new items, cancelling the 1 running item (they run again on --resume), then the summary; a second SIGTERM ends brigade at once",
            BatchJob.StoppingLine("SIGTERM", 1, commands: false, journal: false));
        Assert.Equal(
            "brigade run: stopping (SIGHUP): starting no new items, no commands running, then the summary and the command to resume; a second SIGHUP ends brigade at once",
            BatchJob.StoppingLine("SIGHUP", 0, commands: true, journal: true));
    }

    // Lines written from any thread, as stderr is.
    private sealed class LinesWriter : StringWriter
    {
        private readonly Lock _gate = new();

        public override void Write(char value)
        {
            lock (_gate)
            {
                base.Write(value);
            }
        }

        public override void Write(string? value)
        {
            lock (_gate)
            {
                base.Write(value);
            }
        }

        public override void WriteLine(string? value)
        {
            lock (_gate)
            {
                base.WriteLine(value);
            }
        }

        public List<string> Lines()
        {
            lock (_gate)
            {
                return [.. ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)];
            }
        }
    }
}
