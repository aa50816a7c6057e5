namespace Brigade.Cli.Tests.Review37;

/// <summary>
/// A command's output larger than 1 MiB is not copied into the journal as base64: a command printing 300 MB took
/// brigade to 2.3 GB of memory with <c>-o FILE</c> (1.1 GB to stdout) and wrote 400 MB more to the journal (review 37).
/// An item whose big result was not yet delivered when the run was killed runs again on resume, and the output is
/// byte-identical.
/// </summary>
public sealed class LargeOutputJournalTests
{
    [Fact(Timeout = 120_000)]
    public async Task LargeOutput_BehindASlowItem_IsNotJournaled_AndResumeRunsItAgain()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("delay"), "60");
        await File.WriteAllTextAsync(dir.File("in.txt"), "0\n1\n");

        // Item 0 waits; item 1 prints 3 MiB, then says it is done: its result waits behind item 0, journaled or not.
        const string Command = "if [ {} = 0 ]; then sleep $(cat delay); echo zero; else head -c 3145728 /dev/zero; touch done1; fi";
        string[] args = ["run", dir.File("in.txt"), "-x", Command, "-o", dir.File("out.txt"), "-e", "threads", "-j", "2", "-q"];
        using (var p = CliProcess.Start(dir.Path, args))
        {
            _ = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (!File.Exists(dir.File("done1")) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            // Past the watermark timer's ticks (0.1 s), which flush what was journaled.
            await Task.Delay(1000);
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
        }

        Assert.True(File.Exists(dir.File("done1")));
        Assert.True(new FileInfo(dir.File("out.txt.journal")).Length < 64 * 1024, $"journal: {new FileInfo(dir.File("out.txt.journal")).Length:N0} bytes");

        await File.WriteAllTextAsync(dir.File("delay"), "0");
        var (code, _, stderr) = await CliProcess.RunAsync(dir.Path, null, [.. args, "--resume"]);

        Assert.True(code == 0, stderr);
        var output = await File.ReadAllBytesAsync(dir.File("out.txt"));
        Assert.Equal("zero\n"u8.ToArray(), output[..5]);
        Assert.Equal(5 + 3145728, output.Length);
        Assert.All(output[5..], b => Assert.Equal(0, b));
    }
}
