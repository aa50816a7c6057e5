using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Run;

/// <summary>
/// run56: the progress total is counted before the run; at the input's end it becomes the items read, so the last lines
/// of an input that shrank while it was read agree with what ran. In-process; one <c>truncate</c> started.
/// </summary>
public sealed class RunProgressTotalTests
{
    [Fact(Timeout = 60_000)]
    public async Task AnInputThatShrankWhileItWasRead_EndsWithTheTotalThatRan()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // Counted before the run: 20 items. The first item's command cuts the file to that item's line, so the reader,
        // which reads the file 64 KiB at a time, finds its end past the megabyte of blank lines it had not reached. Failed
        // before: the total stayed 20 and the last progress line read "1/20 done (5.0%), 0 failed, 0 running".
        using var dir = new TempDirectory();
        var input = dir.File("in.txt");
        await File.WriteAllTextAsync(input, "a\n" + string.Concat(Enumerable.Repeat(new string(' ', 1023) + "\n", 1024)) + string.Join("\n", Enumerable.Range(2, 19)) + "\n");
        var options = new RunJobOptions
        {
            Input = input,
            Work = new ExecWork(CommandTemplate.Parse($"truncate -s 2 {input} {dir.File("{}")}"), null, JobRetry.None),
            Engine = Engine.Sequential,
            Output = dir.File("out.txt"),
            Quiet = true,
        };

        var job = new BatchJob(options, TextWriter.Null, TextWriter.Null, interactive: false);

        Assert.Equal(0, await job.RunAsync(CancellationToken.None));
        Assert.Equal(2, new FileInfo(input).Length);
        Assert.Equal(1, job.Total);
    }
}
