namespace Brigade.Cli.Tests.Review34;

/// <summary>
/// A CSV or JSON Lines input that begins with a UTF-8 byte order mark (Excel's "CSV UTF-8", PowerShell's
/// <c>Out-File -Encoding utf8</c>): the mark is not part of the first column's name nor of the first JSON item. Before,
/// <c>{id}</c> "names no column of the CSV header (\uFEFFid, name)" (exit 2), and the first JSON item was malformed
/// (review 34). Plain lines keep their bytes as written.
/// </summary>
public sealed class InputByteOrderMarkTests
{
    [Fact(Timeout = 60_000)]
    public async Task Csv_WithAByteOrderMark_NamesItsFirstColumn()
    {
        using var dir = new TempDirectory();
        await File.WriteAllBytesAsync(dir.File("in.csv"), [0xEF, 0xBB, 0xBF, .. "id,name\r\n1,a\r\n2,b\r\n"u8]);

        var (code, stdout, stderr) = await CliRunner.RunAsync("run", dir.File("in.csv"), "-x", "echo {id}-{name}", "-e", "sequential", "-q");

        Assert.True(code == 0, stderr);
        Assert.Equal("1-a\n2-b\n", stdout);
    }

    [Fact(Timeout = 60_000)]
    public async Task JsonLines_WithAByteOrderMark_ReadsTheFirstItem()
    {
        using var dir = new TempDirectory();
        await File.WriteAllBytesAsync(dir.File("in.jsonl"), [0xEF, 0xBB, 0xBF, .. "{\"id\":1}\n{\"id\":2}\n"u8]);

        var (code, stdout, stderr) = await CliRunner.RunAsync("run", dir.File("in.jsonl"), "-x", "echo {id}", "-e", "sequential", "-q");

        Assert.True(code == 0, stderr);
        Assert.Equal("1\n2\n", stdout);
    }
}
