using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Brigade.Cli.Tests.Run;

/// <summary>
/// The commands' stderr reaches brigade's (<c>--stderr pass</c>, the default), as with xargs and GNU parallel: each
/// command's as a whole when it ends (GNU parallel's <c>--group</c>), byte for byte; <c>--stderr discard</c> drops it.
/// Before, a successful command's stderr was discarded and a failed one's kept only as a 2 KB tail in its failure.
/// </summary>
public sealed class RunStderrTests
{
    [Fact(Timeout = 60_000)]
    public async Task Run_CommandsStderr_ReachesStderr_EachCommandsWhole_ByteForByte()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), Enumerable.Range(1, 12).Select(i => $"{i}"));

        // Two lines per command with a pause between them: inherited, other commands' lines would land in between.
        var command = "printf 'a-%s\\n' {} >&2; sleep 0.0$(( {} % 3 )); printf 'b-%s \\351\\n' {} >&2; echo out-{}";
        var (code, stdout, stderr) = await RawAsync(dir, "", "run", "in.txt", "-x", command, "-j", "4", "-o", "out.txt");

        Assert.True(code == 0, Encoding.UTF8.GetString(stderr));
        Assert.Empty(stdout);
        Assert.Equal(Enumerable.Range(1, 12).Select(i => $"out-{i}"), await File.ReadAllLinesAsync(dir.File("out.txt")));
        foreach (var i in Enumerable.Range(1, 12))
        {
            // Whole, and the Latin-1 byte unchanged (not U+FFFD).
            byte[] expected = [.. Encoding.ASCII.GetBytes($"a-{i}\nb-{i} "), 0xE9, (byte)'\n'];
            Assert.True(IndexOf(stderr, expected) >= 0, $"command {i}'s stderr is not there whole: {Encoding.Latin1.GetString(stderr)}");
        }

        // The summary comes after every command's stderr.
        var text = Encoding.Latin1.GetString(stderr);
        var summary = text.IndexOf("\nbrigade run: 12 items, 0 failed", StringComparison.Ordinal);
        Assert.True(summary > 0, text);
        Assert.DoesNotContain("a-", text[summary..], StringComparison.Ordinal);
        Assert.DoesNotContain("b-", text[summary..], StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_StderrDiscard_DropsTheCommandsStderr_AndFailuresKeepTheirTail()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["ok", "bad"]);
        var command = "echo warn-{} >&2; [ {} = ok ] || { echo boom >&2; exit 3; }; echo {}";

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", command, "-o", dir.File("out.txt"), "--stderr", "discard");

        Assert.Equal(1, code);
        Assert.DoesNotContain("warn-", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("boom", stderr, StringComparison.Ordinal);
        var failure = JsonDocument.Parse(Assert.Single(await File.ReadAllLinesAsync(dir.File("out.txt.failures.jsonl")))).RootElement;
        Assert.Equal("exit code 3: boom", failure.GetProperty("error").GetString());
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_AFailedCommandsStderr_IsPassed_AndItsTailStaysInTheFailure()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["ok", "bad"]);
        var command = "echo warn-{} >&2; [ {} = ok ] || { echo boom >&2; exit 3; }; echo {}";

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", command, "-o", dir.File("out.txt"), "-j", "1");

        Assert.Equal(1, code);
        Assert.Contains("warn-ok\n", stderr, StringComparison.Ordinal);
        Assert.Contains("warn-bad\nboom\n", stderr, StringComparison.Ordinal);
        var failure = JsonDocument.Parse(Assert.Single(await File.ReadAllLinesAsync(dir.File("out.txt.failures.jsonl")))).RootElement;
        Assert.Equal("exit code 3: boom", failure.GetProperty("error").GetString());
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_Quiet_SilencesBrigade_NotTheCommands()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["a", "b"]);

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", "echo note-{} >&2; echo {}", "-o", dir.File("out.txt"), "-j", "1", "-q");

        Assert.True(code == 0, stderr);
        Assert.Equal("note-a\nnote-b\n", stderr);
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_Retries_PassOnlyTheLastAttemptsStderr()
    {
        // As GNU parallel: an attempt that is tried again shows nothing; the one that counts shows its stderr.
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["x"]);
        var command = $"if [ -e '{dir.File("tried")}' ]; then echo second-try >&2; echo {{}}; else touch '{dir.File("tried")}'; echo first-try >&2; exit 1; fi";

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", command, "-o", dir.File("out.txt"), "--retries", "1", "--retry-delay", "0");

        Assert.True(code == 0, stderr);
        Assert.Contains("second-try\n", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("first-try", stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_Resume_ShowsTheStderrOfTheCommandsItRuns_NotAgainThoseOfTheInterruptedRun()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), Enumerable.Range(1, 5).Select(i => $"{i}"));
        await File.WriteAllTextAsync(dir.File("broken"), "");
        var command = $"echo err-{{}} >&2; [ {{}} -ne 3 ] || [ ! -e '{dir.File("broken")}' ] || exit 1; echo {{}}";
        string[] args = ["run", dir.File("in.txt"), "-x", command, "-o", dir.File("out.txt"), "-e", "sequential", "--fail-fast", "-q"];

        var (code, _, stderr) = await CliRunner.RunAsync(args);
        Assert.Equal(1, code);
        Assert.Equal("err-1\nerr-2\nerr-3\n", stderr);

        File.Delete(dir.File("broken"));
        (code, _, stderr) = await CliRunner.RunAsync([.. args, "--resume"]);
        Assert.Equal(1, code); // item 3's failure stays in the run
        Assert.Equal("err-4\nerr-5\n", stderr);
        Assert.Equal(["1", "2", "4", "5"], await File.ReadAllLinesAsync(dir.File("out.txt")));
    }

    [Fact(Timeout = 120_000)]
    public async Task Run_HugeStderr_StreamsThrough_InBoundedMemory_OtherCommandsLinesWhole()
    {
        using var dir = new TempDirectory();
        using var gate = Gate.Make(dir)!;
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["first", "huge", "small", "small", "small", "small", "last"]);

        // 64 MB of stderr lines from one command while others write a line each; brigade's peak resident memory (read by the
        // first and last commands, children of brigade) must not grow with it. The last waits for the huge one's end at a
        // gate (a FIFO the huge one writes a line to; a `sleep 0.05` poll of huge.done until review 71).
        var command = "case {} in " +
            "first) grep VmHWM /proc/$PPID/status | tr -dc 0-9; echo;; " +
            $"last) [ -e huge.done ] || {gate.Wait}; grep VmHWM /proc/$PPID/status | tr -dc 0-9; echo;; " +
            $"huge) yes 0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcde | head -n 500000 >&2; : > huge.done; echo >> {gate.Path}; echo;; " +
            "*) sleep 0.1; echo small-{#}-whole-line >&2; echo;; esac";
        var (code, _, stderr) = await RawAsync(dir, "", "run", "in.txt", "-x", command, "-j", "3", "-o", "out.txt", "-e", "threads", "-q");

        Assert.True(code == 0, Encoding.UTF8.GetString(stderr[^Math.Min(stderr.Length, 2000)..]));
        // The lines read as bytes, in place: as strings (a 64 MB text split in 500,000) they cost the test host more CPU
        // than brigade's whole run (until review 65).
        Assert.Equal((byte)'\n', stderr[^1]);
        var (huge, small, lineCount) = ReadLines(stderr);
        Assert.Equal(500_000, huge);
        Assert.Equal(["small-3-whole-line", "small-4-whole-line", "small-5-whole-line", "small-6-whole-line"], small.Order());
        Assert.Equal(500_000 + 4, lineCount); // every line ends in \n (the last checked above), so none is left over

        var hwm = (await File.ReadAllLinesAsync(dir.File("out.txt"))).Where(l => l.Length > 0).Select(long.Parse).ToList();
        Assert.Equal(2, hwm.Count);
        Assert.True(hwm[1] - hwm[0] < 32 * 1024, $"brigade's peak resident memory grew by {(hwm[1] - hwm[0]) / 1024} MB while a command wrote 64 MB of stderr");
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_StderrOption_IsForCommands()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["a"]);

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", "echo {}", "--stderr", "keep");

        Assert.Equal(2, code);
        Assert.Contains("--stderr", stderr, StringComparison.Ordinal);
    }

    // Review 23 S1: with stdout and stderr on one pipe (2>&1 | less), results and the commands' stderr were written under
    // two locks, and a pipe takes writes over 4 KB in pieces: a slow reader got lines made of both (35 of 40 with 20 commands).
    [Fact(Timeout = 120_000)]
    public async Task Run_StdoutAndStderrOnOnePipe_ResultsAndStderrLinesNeverMix()
    {
        using var dir = new TempDirectory();
        // 10 commands (20 until review 65): each line is 60 KB, and the reader below costs CPU for every byte it passes.
        await File.WriteAllLinesAsync(dir.File("in.txt"), Enumerable.Range(1, 10).Select(i => $"{i}"));
        var command = "head -c 60000 /dev/zero | tr '\\0' a; echo \" {}\"; head -c 60000 /dev/zero | tr '\\0' b >&2; echo \" {}\" >&2";

        // A reader much slower than brigade (997 bytes at a time, a millisecond apart: ~1 MB/s): both writers wait on the
        // full pipe at once. Until review 45 sh's read, which takes a byte at a time, a system call each: 2.4 MB of them
        // were 8-21 s of a loaded machine's CPU; this reader sleeps instead.
        var (code, _, _) = await RedirectedAsync(dir, "", "2>&1 | perl -e 'while (sysread(STDIN, $b, 997)) { syswrite(STDOUT, $b); select(undef, undef, undef, 0.001) }' > stdout.bin; : > stderr.bin", "run", "in.txt", "-x", command, "-q");

        Assert.Equal(0, code);
        var lines = (await File.ReadAllTextAsync(dir.File("stdout.bin"))).Split('\n')[..^1];
        var mixed = lines.Where(l => l.Length != 60000 + 1 + l.Split(' ')[^1].Length || (l.Contains('a', StringComparison.Ordinal) && l.Contains('b', StringComparison.Ordinal))).ToList();
        Assert.True(mixed.Count == 0, $"{mixed.Count} of {lines.Length} lines are mixed (lengths {string.Join(", ", mixed.Select(l => l.Length))})");
        Assert.Equal(20, lines.Length);
    }

    // Review 23 S2: a stderr line longer than 64 KiB was cut at 64 KiB, and other commands' stderr landed between its
    // pieces (12 of 20 lines broken). Lines up to 1 MiB are now kept whole; a progress meter's stderr (\r, no \n) is cut
    // at a \r, so what lands between its pieces starts where a redraw would.
    [Fact(Timeout = 120_000)]
    public async Task Run_StderrLinesLongerThan64KiB_StayWhole_BetweenOtherCommandsStderr()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), Enumerable.Range(1, 20).Select(i => $"{i}"));
        var command = "head -c 70000 /dev/zero | tr '\\0' b >&2; echo \" {}\" >&2; head -c 200000 /dev/zero | tr '\\0' c | sed 's/c\\{99\\}/&\\r/g' >&2; echo >&2";

        var (code, _, stderr) = await RawAsync(dir, "", "run", "in.txt", "-x", command, "-j", "8", "-o", "out.txt", "-q");

        Assert.True(code == 0, Encoding.UTF8.GetString(stderr[^Math.Min(stderr.Length, 2000)..]));
        var pieces = Encoding.ASCII.GetString(stderr).Split('\n', '\r');
        var longLines = pieces.Where(l => l.Contains('b', StringComparison.Ordinal)).ToList();
        Assert.Equal(20, longLines.Count);
        Assert.All(longLines, l => Assert.Matches("^b{70000} [0-9]+$", l));
        var meters = pieces.Where(l => l.Contains('c', StringComparison.Ordinal)).ToList();
        Assert.All(meters, l => Assert.Matches("^c{1,99}$", l));
        Assert.Equal(20 * 200000, meters.Sum(l => l.Length));
    }

    // The older path (Process) passes the commands' stderr without the lines it appends to take each command's CPU report.
    // One run of four commands, one at a time (-j 1: their stderr in input order), covers what three runs did until
    // review 65 (a brigade start-up each):
    // - a and b: stderr with and without a final newline, passed as written;
    // - meter (review 23 N3): a full 64 KiB of stderr with no \n that ended in the start of the CPU report's marker
    //   ("...\r__bri") was passed whole; the marker then could not be found, and its end and the shell's `times` lines
    //   reached the user's stderr;
    // - trace (review 23 N3 (c)): a command's `set -x` traced the lines brigade's older path appends to take its CPU report.
    [Fact(Timeout = 60_000)]
    public async Task Run_ThroughTheOlderPath_PassesStderr_WithoutItsCpuReport_AfterAMeterAtTheBound_OrUnderSetX()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["a", "b", "meter", "trace"]);
        var command = "case {} in " +
            "meter) head -c 65530 /dev/zero | tr '\\0' x >&2; printf '\\r' >&2; echo {};; " +
            "trace) set -x; echo {};; " +
            "*) echo warn-{} >&2; printf 'no newline' >&2; echo {};; esac";

        var (code, _, stderr) = await RawAsync(dir, "BRIGADE_EXEC_SPAWN=process", "run", "in.txt", "-x", command, "-j", "1", "-o", "out.txt", "-q");

        Assert.True(code == 0, Encoding.UTF8.GetString(stderr[^Math.Min(stderr.Length, 2000)..]));
        Assert.Equal("warn-a\nno newlinewarn-b\nno newline" + new string('x', 65530) + "\r" + "+ echo trace\n", Encoding.ASCII.GetString(stderr));
        Assert.Equal(["a", "b", "meter", "trace"], await File.ReadAllLinesAsync(dir.File("out.txt")));
    }

    // Runs brigade through sh with its stdout and stderr in files (so their bytes are seen as written), after `env` settings.
    private static Task<(int Code, byte[] Stdout, byte[] Stderr)> RawAsync(TempDirectory dir, string environment, params string[] args) =>
        RedirectedAsync(dir, environment, "> stdout.bin 2> stderr.bin", args);

    // The same with the given redirections (which must leave stdout.bin and stderr.bin).
    private static async Task<(int Code, byte[] Stdout, byte[] Stderr)> RedirectedAsync(TempDirectory dir, string environment, string redirections, params string[] args)
    {
        var psi = new ProcessStartInfo("sh") { WorkingDirectory = dir.Path, UseShellExecute = false, RedirectStandardInput = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"{(redirections.Contains('|', StringComparison.Ordinal) ? "" : "exec ")}env {environment} dotnet \"$@\" {redirections}");
        psi.ArgumentList.Add("sh");
        psi.ArgumentList.Add(CliProcess.CliDll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(100));
        await p.WaitForExitAsync(timeout.Token);
        return (p.ExitCode, await File.ReadAllBytesAsync(dir.File("stdout.bin")), await File.ReadAllBytesAsync(dir.File("stderr.bin")));
    }

    // The huge command's lines, the small commands' lines and the lines in all, read from bytes in place.
    private static (int Huge, List<string> Small, int Lines) ReadLines(byte[] stderr)
    {
        var hugeLine = "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcde"u8;
        int huge = 0, lines = 0;
        var small = new List<string>();
        for (ReadOnlySpan<byte> rest = stderr; !rest.IsEmpty; lines++)
        {
            var end = rest.IndexOf((byte)'\n');
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 1)..];
            if (line.SequenceEqual(hugeLine))
            {
                huge++;
            }
            else if (line.StartsWith("small"u8))
            {
                small.Add(Encoding.ASCII.GetString(line));
            }
        }

        return (huge, small, lines);
    }

    private static int IndexOf(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle);
}
