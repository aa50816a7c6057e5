namespace Brigade.Cli.Tests.Run;

/// <summary>What reaches the command: exact bytes, whole lines, NUL-separated items, placeholders and literal braces.</summary>
public sealed class RunInputTests
{
    [Fact]
    public async Task Run_BytesThatAreNotUtf8_ReachTheCommandUnchanged()
    {
        // Regression: Latin-1 bytes reached the command as U+FFFD (EF BF BD).
        using var dir = new TempDirectory();
        await File.WriteAllBytesAsync(dir.File("in.txt"), [.. "caf"u8, 0xE9, (byte)'\n', 0xFF, (byte)'\'', 0xFE, (byte)'\n']);

        var (code, stdout, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "--exec", "printf %s {} | od -An -tx1", "-q", "-j", "1");

        Assert.True(code == 0, stderr);
        Assert.Equal(["63 61 66 e9", "ff 27 fe"], stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public async Task Run_LoneCarriageReturn_DoesNotSplitTheItem()
    {
        // Regression: "a\rb" ran as two items.
        using var dir = new TempDirectory();
        await File.WriteAllBytesAsync(dir.File("in.txt"), "a\rb\r\nc\n"u8.ToArray());

        var (code, stdout, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "--exec", "printf '%s' {} | od -An -c", "-q", "-j", "1");

        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToList();
        Assert.Equal(["a \\r b", "c"], lines);
    }

    [Fact]
    public async Task Run_NulByteInALine_FailsThatItemWithItsIndexAndWhy_OthersRun()
    {
        // Regression: the NUL reached the shell silently (the item was cut there).
        using var dir = new TempDirectory();
        await File.WriteAllBytesAsync(dir.File("in.txt"), "ok\nx\0y\nok2\n"u8.ToArray());

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "--exec", "echo {}", "-o", dir.File("out.txt"), "-q");

        Assert.Equal(1, code);
        Assert.Equal(["ok", "ok2"], await File.ReadAllLinesAsync(dir.File("out.txt")));
        var failure = Assert.Single(await File.ReadAllLinesAsync(dir.File("out.txt.failures.jsonl")));
        Assert.Contains("\"index\":1", failure, StringComparison.Ordinal);
        Assert.Contains("NUL byte", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Null_ItemsSeparatedByNulBytes_KeepSpacesAndNewlines()
    {
        using var dir = new TempDirectory();
        await File.WriteAllBytesAsync(dir.File("in.bin"), "a b\0c\nd\0"u8.ToArray());

        var (code, stdout, stderr) = await CliRunner.RunAsync("run", dir.File("in.bin"), "-0", "--exec", "printf '<%s>' {}", "-q", "-j", "1");

        Assert.True(code == 0, stderr);
        Assert.Equal("<a b><c\nd>", stdout);
    }

    [Fact]
    public async Task Run_AwkAndSedBlocks_ReachTheShellAsWritten()
    {
        // Regression: {print} counted as a placeholder, every item failed, and the summary said "the input was empty".
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["a b", "c d"]);

        var (code, stdout, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "--exec", "echo {} | awk '{print $2}' | sed -n '/./{p;q}'; echo {} | awk '{print}'", "-j", "1");

        Assert.True(code == 0, stderr);
        Assert.Equal("b\na b\nd\nc d\n", stdout);
    }

    [Theory]
    [InlineData("echo {0}", "unknown placeholder {0}")]
    [InlineData("echo {..}", "{..} is GNU parallel's")]
    [InlineData("echo {2}", "{2} is a CSV field")]
    public async Task Run_UnknownPlaceholder_IsAOneLineUsageError(string command, string expected)
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["a"]);

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "--exec", command, "-o", dir.File("out.txt"));

        Assert.Equal(2, code);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.Equal(["in.txt"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Run_UnknownCsvColumn_IsAUsageErrorBeforeAnythingRuns()
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.csv"), "name,size\na,1\n");
        await File.WriteAllTextAsync(dir.File("out.txt"), "keep\n");

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.csv"), "--exec", "echo {nmae}", "-o", dir.File("out.txt"));

        Assert.Equal(2, code);
        Assert.Contains("{nmae} names no column of the CSV header (name, size)", stderr, StringComparison.Ordinal);
        Assert.Equal("keep\n", await File.ReadAllTextAsync(dir.File("out.txt")));
        Assert.False(File.Exists(dir.File("out.txt.journal")));
    }

    [Fact]
    public async Task Run_EveryItemFailsBeforeRunning_SummaryDoesNotSayTheInputWasEmpty()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.jsonl"), ["{\"a\":1}", "{\"a\":2}"]);

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.jsonl"), "--exec", "echo {b}", "-o", dir.File("out.txt"));

        Assert.Equal(1, code);
        Assert.Contains("brigade run: 2 items, 2 failed", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("empty", stderr, StringComparison.Ordinal);
        Assert.Equal(2, (await File.ReadAllLinesAsync(dir.File("out.txt.failures.jsonl"))).Length);
    }

    [Fact]
    public async Task Run_OneItem_SummarySaysItemNotItems()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.jsonl"), ["{\"a\":1}"]);

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.jsonl"), "--exec", "echo {b}", "-o", dir.File("out.txt"));

        Assert.Equal(1, code);
        Assert.Contains("brigade run: 1 item, 1 failed", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Slot_NumbersTheCommandsRunningAtOnceFromOne()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), Enumerable.Range(1, 12).Select(i => $"{i}"));

        var (code, stdout, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "--exec", "sleep 0.05; echo {%}", "-e", "threads", "-j", "3", "-q");

        Assert.True(code == 0, stderr);
        var slots = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();
        Assert.Equal(12, slots.Count);
        Assert.All(slots, s => Assert.InRange(s, 1, 3));
    }
}
