namespace Brigade.Cli.Tests.Review37;

/// <summary>
/// A failed command's stdout reaches the output in the item's place, as GNU parallel (and xargs) print a failed job's
/// output; the failure is still reported with its index and reason. Before, <c>printf 'a\nb\n' | brigade run - --exec
/// 'echo out-{}; exit 1'</c> printed nothing but the two failures: the commands' output vanished (review 37).
/// </summary>
public sealed class FailedCommandOutputTests
{
    [Fact(Timeout = 60_000)]
    public async Task FailedCommand_StdoutReachesTheOutput_InItsPlace()
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "a\nb\n");

        var (code, stdout, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", "echo out-{}; exit 1", "-q");

        Assert.Equal(1, code);
        Assert.Equal("out-a\nout-b\n", stdout);
        Assert.Contains("\"index\":0", stderr, StringComparison.Ordinal);
        Assert.Contains("\"index\":1", stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task FailedCommand_StdoutInTheOutputFile_InInputOrder_FailuresBeside()
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "1\n2\n3\n4\n");

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", "echo out-{}; test {} != 2 && test {} != 3", "-o", dir.File("out.txt"), "-j", "4", "-q");

        Assert.True(code == 1, stderr);
        Assert.Equal("out-1\nout-2\nout-3\nout-4\n", await File.ReadAllTextAsync(dir.File("out.txt")));
        var failures = await File.ReadAllLinesAsync(dir.File("out.txt.failures.jsonl"));
        Assert.Equal(2, failures.Length);
        Assert.Contains("\"index\":1", failures[0], StringComparison.Ordinal);
        Assert.Contains("\"index\":2", failures[1], StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task FailedCommand_Retried_OnlyTheLastAttemptsOutputIsWritten()
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "a\n");

        var (code, stdout, _) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", "echo try-{}; exit 3", "--retries", "2", "--retry-delay", "0", "-q");

        Assert.Equal(1, code);
        Assert.Equal("try-a\n", stdout);
    }

    [Fact(Timeout = 60_000)]
    public async Task TimedOutCommand_WhatItWroteBeforeTheKill_ReachesTheOutput()
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "a\n");

        var (code, stdout, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", "echo before-{}; sleep 30", "--timeout", "500ms", "-q");

        Assert.Equal(1, code);
        Assert.Equal("before-a\n", stdout);
        Assert.Contains("timed out", stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Resume_AFailureJournaledBehindASlowItem_KeepsItsOutput_ByteIdentical()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("delay"), "60");
        await File.WriteAllTextAsync(dir.File("in.txt"), "0\n1\n2\n");

        // Item 0 waits; 1 fails with output and 2 succeeds behind it: both journaled, neither in the output yet.
        // Absolute paths: the resume runs in-process (CliRunner; a start of brigade until 2026-12-05), in the test host's directory.
        var command = $"if [ {{}} = 0 ]; then sleep $(cat {dir.File("delay")}); fi; echo out-{{}}; test {{}} != 1";
        string[] args = ["run", dir.File("in.txt"), "-x", command, "-o", dir.File("out.txt"), "-e", "threads", "-j", "3", "-q"];
        using (var p = CliProcess.Start(dir.Path, args))
        {
            _ = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            var journal = dir.File("out.txt.journal");
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (!(File.Exists(journal) && (await ReadShared(journal)).Contains("\"i\":2", StringComparison.Ordinal) && (await ReadShared(journal)).Contains("\"i\":1", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
        }

        Assert.Equal("", await File.ReadAllTextAsync(dir.File("out.txt")));
        await File.WriteAllTextAsync(dir.File("delay"), "0");
        var (code, _, stderr) = await CliRunner.RunAsync([.. args, "--resume"]);

        Assert.True(code == 1, stderr);
        Assert.Equal("out-0\nout-1\nout-2\n", await File.ReadAllTextAsync(dir.File("out.txt")));
        Assert.Single(await File.ReadAllLinesAsync(dir.File("out.txt.failures.jsonl")));
    }

    private static async Task<string> ReadShared(string path)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(file);
        return await reader.ReadToEndAsync();
    }
}
