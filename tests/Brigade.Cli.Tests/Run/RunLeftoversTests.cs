using System.Text;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Run;

/// <summary>
/// run52, what review 51 left of <c>brigade run</c>: an oversized record under <c>--strict-input</c>, an oversized blank
/// line, an oversized CSV header, CSV lines of blanks, a UTF-16 input, a directory as stdin, what "why not faster" says of
/// records read through. In-process but for stdin; the record limit is lowered for each test's own async flow
/// (<see cref="InputReader.RecordLimitOverride"/>).
/// </summary>
public sealed class RunLeftoversTests
{
    private static async Task<(List<InputItem> Items, (long Bytes, long Items, string Hash) Read)> ReadAsync(string path, InputFormat format, long? limit)
    {
        InputReader.RecordLimitOverride.Value = limit; // this async flow only
        var fingerprint = new InputFingerprint();
        var items = new List<InputItem>();
        await using var input = File.OpenRead(path);
        await foreach (var item in InputReader.ReadAsync(input, format, nullSeparated: false, fingerprint))
        {
            items.Add(item);
        }

        return (items, fingerprint.Snapshot());
    }

    [Fact(Timeout = 60_000)]
    public async Task StrictInput_StopsAtAnOversizedRecord_SayingItIsTooLong_NotMalformed()
    {
        // Failed before: the record's error (and the stop line) began "malformed input:", of a line nothing is wrong with
        // but its length. --strict-input still stops there: the record is input that cannot run.
        InputReader.RecordLimitOverride.Value = 100;
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), $"1\n{new string('w', 300)}\n3\n");

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", "echo {}", "-o", dir.File("out.txt"), "-e", "sequential", "--strict-input");

        Assert.True(code == 1, stderr);
        Assert.Contains("brigade run: stopped at line 2: input record too long: line 2 is 300 bytes, over the 100 bytes brigade reads as one record", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("malformed", stderr, StringComparison.Ordinal);
        Assert.Equal(["1"], await File.ReadAllLinesAsync(dir.File("out.txt")));
        var failure = Assert.Single(await File.ReadAllLinesAsync(dir.File("out.txt.failures.jsonl")));
        Assert.Contains("\"error\":\"input record too long: line 2 is 300 bytes", failure, StringComparison.Ordinal);
    }

    [Theory(Timeout = 60_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AnOversizedBlankLine_IsSkipped_AsTheProgressCountSkipsIt(bool jsonLines)
    {
        var format = jsonLines ? InputFormat.JsonLines : InputFormat.Lines;
        // Failed before: a line of 300 blanks over the 100-byte limit was an item that failed ("line 2 is 300 bytes"),
        // while CountLines, the progress total, skipped it as blank: 3 items done of a total of 2.
        using var dir = new TempDirectory();
        var (a, b) = format == InputFormat.JsonLines ? ("1", "2") : ("a", "b");
        await File.WriteAllTextAsync(dir.File("in"), $"{a}\n{new string(' ', 150)}\t{new string(' ', 150)}\r\n{b}\n{new string(' ', 200)}");

        var (items, read) = await ReadAsync(dir.File("in"), format, limit: 100);

        Assert.Equal([a, b], items.Select(i => i.Text));
        Assert.All(items, i => Assert.Null(i.Malformed));
        Assert.Equal(items.Count, InputReader.CountLines(dir.File("in"), nullSeparated: false));

        // Every byte hashed, the blank lines as no items: the fingerprint a read with no limit gives, so --resume matches.
        Assert.Equal((await ReadAsync(dir.File("in"), format, limit: null)).Read, read);
    }

    [Fact(Timeout = 60_000)]
    public async Task Csv_AnOversizedHeader_IsAOneLineUsageError_NothingRunOrCreated()
    {
        // Failed before: the header was item 0, failed for its length, and every record then failed for its field count
        // ("2 fields where the header has 0"), exit 1.
        InputReader.RecordLimitOverride.Value = 100;
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.csv"), $"name{new string('x', 300)},n\nann,1\nbob,2\n");

        var (code, stdout, stderr) = await CliRunner.RunAsync("run", dir.File("in.csv"), "-x", "echo {1}", "-o", dir.File("out.txt"));

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("brigade: the CSV header: line 1 is 306 bytes, over the 100 bytes brigade reads as one record; without it there are no column names", line, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("out.txt")));
        Assert.False(File.Exists(dir.File("out.txt.journal")));
    }

    [Fact(Timeout = 60_000)]
    public async Task Csv_AMalformedHeader_IsAOneLineUsageError_TheFirstRecordIsNotTakenForTheHeader()
    {
        // Failed before: the header was item 0, failed, and "ann,1" became the header: ann's line never ran, and bob's
        // ran with "ann" and "1" as column names, exit 1.
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.csv"), "\"name\"x,n\nann,1\nbob,2\n");

        var (code, stdout, stderr) = await CliRunner.RunAsync("run", dir.File("in.csv"), "-x", "echo {name}", "-o", dir.File("out.txt"));

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("brigade: the CSV header (line 1) is malformed: unexpected character 'x' after a quoted field;", line, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("out.txt")));
        Assert.False(File.Exists(dir.File("out.txt.journal")));
    }

    [Fact(Timeout = 60_000)]
    public async Task Csv_ALineOfBlanks_IsNoRecord_AsInPlainLines_AQuotedBlankIsAValue()
    {
        // Failed before: " " was a record of one field, failed as "1 fields where the header has 2".
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.csv"), "name,n\n \nann,1\n\t \r\nbob,\" \"\n   \n");

        var (items, _) = await ReadAsync(dir.File("in.csv"), InputFormat.Csv, limit: null);

        Assert.All(items, i => Assert.Null(i.Malformed));
        Assert.Equal([["ann", "1"], ["bob", " "]], items.Select(i => i.Fields!.ToArray()));
        Assert.Equal([3L, 5L], items.Select(i => i.Line));
    }

    [Fact(Timeout = 60_000)]
    public async Task Utf16Input_IsAOneLineUsageError_NotAFailurePerLine()
    {
        // Failed before: exit 1, every line a failure "the value holds a NUL byte", the last one a lone NUL.
        using var dir = new TempDirectory();
        await File.WriteAllBytesAsync(dir.File("in.txt"), Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("a\nb\n")).ToArray());

        var (code, stdout, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", "echo {}");

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("brigade: the input is UTF-16 text", line, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task StandardInputADirectory_IsAOneLineUsageError()
    {
        // Failed before: "brigade: IOException: Is a directory", exit 1. A process (stdin cannot be a directory in-process):
        // it ends before any engine starts.
        var psi = new System.Diagnostics.ProcessStartInfo("sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["-c", "exec dotnet \"$0\" run - -x 'echo {}' < /", CliProcess.CliDll])
        {
            psi.ArgumentList.Add(a);
        }

        using var p = System.Diagnostics.Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();

        Assert.Equal(2, p.ExitCode);
        Assert.Equal("", stdout);
        Assert.Equal("brigade: the input is - but standard input is a directory; give an input file, or pipe the items in (... | brigade run - ...)", (await stderr).Trim());
    }

    [Fact]
    public void WhyNotFaster_SaysWhatReadingOversizedRecordsTook_WhenItIsATenthOfTheRun()
    {
        // Before, a run that read a 1 GB line through (3 s, the workers waiting) was told only "the input is slower than the
        // work ... make the input faster or read it ahead", of an input whose one huge line did no work.
        Assert.Equal(
            " (3.0 s of the run went to reading the record at line 2 over the 16 MiB limit, which did no work: put big items in files and pass their paths)",
            BatchJob.OversizedNote(1, 2, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(4)));
        Assert.Contains("reading 3 records (the first at line 7)", BatchJob.OversizedNote(3, 7, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)), StringComparison.Ordinal);
        Assert.Equal("", BatchJob.OversizedNote(1, 2, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(4)));
        Assert.Equal("", BatchJob.OversizedNote(0, 0, TimeSpan.Zero, TimeSpan.FromSeconds(4)));
    }
}
