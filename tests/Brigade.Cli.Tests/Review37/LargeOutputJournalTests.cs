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
        await File.WriteAllTextAsync(dir.File("in.txt"), "0\n1\n2\n");

        // Item 0 waits; item 1 prints 3 MiB, then says it is done: its result waits behind item 0, journaled or not. Item 2
        // runs after item 1 on the other worker and prints a line, which is journaled: once its record is in the journal,
        // item 1's would be too, had it been journaled (records are appended in the order the items finish).
        // Absolute paths: the resume runs in-process (CliRunner; a start of brigade until 2026-12-05), in the test host's directory.
        var command = $"if [ {{}} = 0 ]; then sleep $(cat {dir.File("delay")}); echo zero; elif [ {{}} = 1 ]; then head -c 3145728 /dev/zero; touch {dir.File("done1")}; else echo two; fi";
        string[] args = ["run", dir.File("in.txt"), "-x", command, "-o", dir.File("out.txt"), "-e", "threads", "-j", "2", "-q"];
        using (var p = CliProcess.Start(dir.Path, args))
        {
            _ = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            // Not a fixed wait past the watermark timer's ticks (0.1 s), which flush what was journaled: at load a second
            // was not always enough for a flush, and the size check then passed whatever was journaled.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (!(File.Exists(dir.File("done1")) && JournalHolds(dir.File("out.txt.journal"), "\"t\":\"r\",\"i\":2")) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
        }

        Assert.True(File.Exists(dir.File("done1")));
        Assert.True(JournalHolds(dir.File("out.txt.journal"), "\"t\":\"r\",\"i\":2"), "item 2's result was not journaled within 60 s");
        Assert.True(new FileInfo(dir.File("out.txt.journal")).Length < 64 * 1024, $"journal: {new FileInfo(dir.File("out.txt.journal")).Length:N0} bytes");

        await File.WriteAllTextAsync(dir.File("delay"), "0");
        var (code, _, stderr) = await CliRunner.RunAsync([.. args, "--resume"]);

        Assert.True(code == 0, stderr);
        var output = await File.ReadAllBytesAsync(dir.File("out.txt"));
        Assert.Equal("zero\n"u8.ToArray(), output[..5]);
        Assert.Equal(5 + 3145728 + 4, output.Length);
        Assert.All(output[5..^4], b => Assert.Equal(0, b));
        Assert.Equal("two\n"u8.ToArray(), output[^4..]);
    }

    private static bool JournalHolds(string journal, string text)
    {
        try
        {
            using var reader = new StreamReader(new FileStream(journal, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
            return reader.ReadToEnd().Contains(text, StringComparison.Ordinal);
        }
        catch (FileNotFoundException)
        {
            return false;
        }
    }
}
