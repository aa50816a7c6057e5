using System.Text.Json;

namespace Brigade.Cli.Tests.Run;

public sealed class RunCommandTests
{
    private static List<JsonElement> ReadJsonLines(string path) =>
        File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    [Fact(Timeout = 60_000)]
    public async Task Run_WritesResultsInInputOrder_AndDeletesJournalWhenDone()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), Enumerable.Range(1, 40).Select(i => i.ToString()));

        // Later items finish first, so input order has to be restored.
        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "--exec", "sleep 0.0$(( 9 - {} % 10 )); echo n={}", "-o", dir.File("out.txt"), "-j", "8");

        Assert.True(code == 0, stderr);
        Assert.Equal(Enumerable.Range(1, 40).Select(i => $"n={i}"), await File.ReadAllLinesAsync(dir.File("out.txt")));
        Assert.False(File.Exists(dir.File("out.txt.journal")));
        Assert.False(File.Exists(dir.File("out.txt.failures.jsonl")));
    }

    [Theory(Timeout = 60_000)]
    [InlineData("auto")]
    [InlineData("threads")] // commands waited for on the engine's own threads (a blocking wait, with the timeout)
    public async Task Run_FailingMissingAndHangingCommands_AreReportedWithIndexLineAndInput_OthersComplete(string engine)
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["ok", "fail", "missing", "hang", "ok2"]);
        var command = "case {} in fail) echo boom >&2; exit 3;; missing) no-such-binary-brigade;; hang) sleep 30;; *) echo done {};; esac";

        var (code, _, _) = await CliRunner.RunAsync("run", dir.File("in.txt"), "--exec", command, "-o", dir.File("out.txt"), "--timeout", "500ms", "-j", "5", "-e", engine);

        Assert.Equal(1, code);
        Assert.Equal(["done ok", "done ok2"], await File.ReadAllLinesAsync(dir.File("out.txt")));
        var failures = ReadJsonLines(dir.File("out.txt.failures.jsonl"));
        Assert.Equal([1L, 2, 3], failures.Select(f => f.GetProperty("index").GetInt64()));
        Assert.Equal([2L, 3, 4], failures.Select(f => f.GetProperty("line").GetInt64()));
        Assert.Equal(["fail", "missing", "hang"], failures.Select(f => f.GetProperty("input").GetString()));
        Assert.Equal("exit code 3: boom", failures[0].GetProperty("error").GetString());
        Assert.Contains("exit code 127", failures[1].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("timed out", failures[2].GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_MalformedLines_AreReportedWithLineNumbers_AndDoNotStopTheRun()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.jsonl"), ["{\"n\":1}", "{broken", "", "{\"n\":3}"]);

        var (code, _, _) = await CliRunner.RunAsync("run", dir.File("in.jsonl"), "--exec", "echo {n}", "-o", dir.File("out.txt"));

        Assert.Equal(1, code);
        Assert.Equal(["1", "3"], await File.ReadAllLinesAsync(dir.File("out.txt")));
        var failure = Assert.Single(ReadJsonLines(dir.File("out.txt.failures.jsonl")));
        Assert.Equal(2, failure.GetProperty("line").GetInt64());
        Assert.StartsWith("malformed input: line 2: not valid JSON", failure.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_StrictInput_StopsAtTheFirstMalformedLine()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.jsonl"), ["{\"n\":1}", "{broken", "{\"n\":3}"]);

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.jsonl"), "--exec", "echo {n}", "-o", dir.File("out.txt"), "--strict-input", "-j", "1");

        Assert.Equal(1, code);
        Assert.Contains("--strict-input", stderr, StringComparison.Ordinal);
        Assert.Equal(["1"], await File.ReadAllLinesAsync(dir.File("out.txt")));

        // The run stopped, so it is not complete: its journal stays for --resume (review 22 R4: it was deleted, and
        // --resume said the run was complete while line 3 never ran).
        Assert.True(File.Exists(dir.File("out.txt.journal")), stderr);
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_Retries_RunAFailingItemAgain()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["a", "b"]);

        // Each item fails on its first attempt only.
        var command = $"test -f {dir.Path}/seen-{{}} || {{ touch {dir.Path}/seen-{{}}; exit 1; }}; echo {{}}";
        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "--exec", command, "-o", dir.File("out.txt"), "--retries", "1");

        Assert.True(code == 0, stderr);
        Assert.Equal(["a", "b"], await File.ReadAllLinesAsync(dir.File("out.txt")));
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_TransientFailure_SucceedsOnALaterAttempt_AndTheSummaryCountsTheAttempts()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["a", "b", "c"]);

        // "b" fails on its first two attempts (a counter file per item), then succeeds; the others succeed at once.
        var command = $"n=$(cat {dir.Path}/n-{{}} 2>/dev/null || echo 0); echo $((n+1)) > {dir.Path}/n-{{}}; "
            + $"if [ {{}} = b ] && [ $n -lt 2 ]; then echo flaky >&2; exit 1; fi; echo {{}}";
        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "--exec", command, "-o", dir.File("out.txt"), "--retries", "3", "--retry-delay", "20ms");

        Assert.True(code == 0, stderr);
        Assert.Equal(["a", "b", "c"], await File.ReadAllLinesAsync(dir.File("out.txt")));
        Assert.Equal("3", (await File.ReadAllTextAsync(dir.File("n-b"))).Trim());
        Assert.Equal("1", (await File.ReadAllTextAsync(dir.File("n-a"))).Trim());
        Assert.Contains("0 failed, 1 retried (3 attempts)", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("out.txt.failures.jsonl")));
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_RetriesExhausted_ReportIndexLastReasonAndAttempts()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["ok", "bad", "ok2"]);

        // "bad" fails every time, each attempt with its own reason: the last one is the one reported.
        var command = $"echo x >> {dir.Path}/tries-{{}}; if [ {{}} = bad ]; then echo \"reason $(wc -l < {dir.Path}/tries-{{}})\" >&2; exit 4; fi; echo {{}}";
        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "--exec", command, "-o", dir.File("out.txt"), "--retries", "2", "--retry-delay", "10ms");

        Assert.True(code == 1, stderr);
        Assert.Equal(["ok", "ok2"], await File.ReadAllLinesAsync(dir.File("out.txt")));
        Assert.Equal(3, (await File.ReadAllLinesAsync(dir.File("tries-bad"))).Length);
        var failure = Assert.Single(ReadJsonLines(dir.File("out.txt.failures.jsonl")));
        Assert.Equal(1, failure.GetProperty("index").GetInt64());
        Assert.Equal(2, failure.GetProperty("line").GetInt64());
        Assert.Equal("bad", failure.GetProperty("input").GetString());
        Assert.Equal(3, failure.GetProperty("attempts").GetInt32());
        var error = failure.GetProperty("error").GetString()!;
        Assert.Contains("reason 3", error, StringComparison.Ordinal);
        Assert.EndsWith("(after 3 attempts)", error, StringComparison.Ordinal);
        Assert.Contains("1 failed", stderr, StringComparison.Ordinal);
        Assert.Contains("1 retried (3 attempts)", stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_FailureWithoutRetries_ReportsOneAttempt()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["bad"]);

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "--exec", "echo no >&2; exit 2", "-o", dir.File("out.txt"));

        Assert.True(code == 1, stderr);
        var failure = Assert.Single(ReadJsonLines(dir.File("out.txt.failures.jsonl")));
        Assert.Equal(1, failure.GetProperty("attempts").GetInt32());
        Assert.DoesNotContain("attempts)", failure.GetProperty("error").GetString()!, StringComparison.Ordinal);
        Assert.DoesNotContain("retried", stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_Unordered_WritesEveryResult()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), Enumerable.Range(1, 30).Select(i => i.ToString()));

        var (code, _, _) = await CliRunner.RunAsync("run", dir.File("in.txt"), "--exec", "echo {}", "-o", dir.File("out.txt"), "--unordered", "-j", "6");

        Assert.Equal(0, code);
        Assert.Equal(Enumerable.Range(1, 30).Select(i => i.ToString()), (await File.ReadAllLinesAsync(dir.File("out.txt"))).OrderBy(int.Parse));
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_ReportAndTrace_AreWritten()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["1", "2", "3"]);

        var (code, _, _) = await CliRunner.RunAsync("run", dir.File("in.txt"), "--exec", "echo {}", "-o", dir.File("out.txt"), "--report", dir.File("r.html"), "--trace", dir.File("t.json"), "-q");

        Assert.Equal(0, code);
        Assert.Contains("class=\"lane\"", await File.ReadAllTextAsync(dir.File("r.html")), StringComparison.Ordinal);
        using var trace = JsonDocument.Parse(await File.ReadAllTextAsync(dir.File("t.json")));
        Assert.Contains(trace.RootElement.GetProperty("traceEvents").EnumerateArray(), e => e.GetProperty("ph").GetString() == "X");
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_ExistingJournalWithoutResume_IsAUsageError_AndResumeWithoutJournalToo()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["1"]);
        await File.WriteAllTextAsync(dir.File("out.txt.journal"), "");

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "--exec", "echo {}", "-o", dir.File("out.txt"));
        Assert.Equal(2, code);
        Assert.Contains("--resume", stderr, StringComparison.Ordinal);

        (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "--exec", "echo {}", "--resume");
        Assert.Equal(2, code);
        Assert.Contains("needs a journal", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("run", "in.txt")]
    [InlineData("run", "no-such-file.txt", "--exec", "echo")]
    [InlineData("run", "in.txt", "--exec", "echo", "--timeout", "soon")]
    [InlineData("run", "in.txt", "--exec", "echo", "--jobs", "two")]
    [InlineData("run", "in.txt", "--exec", "echo", "--engine", "warp")]
    [InlineData("run", "in.txt", "--exec", "echo", "--format", "yaml")]
    public async Task Run_BadInput_OneLineError_ExitCode2(params string[] args)
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["1"]);
        var absolute = args.Select(a => a.EndsWith(".txt", StringComparison.Ordinal) ? dir.File(a) : a).ToArray();

        var (code, stdout, stderr) = await CliRunner.RunAsync(absolute);

        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
