using System.Diagnostics;
using System.Globalization;
using Brigade.Cli.Run;
using Xunit.Abstractions;

namespace Brigade.Cli.Tests.FaultInjection;

/// <summary>
/// Kills the real <c>brigade run</c> at random moments (SIGKILL to brigade alone; SIGINT to its whole process group,
/// which is what Ctrl+C at a terminal does), resumes, and checks the output is byte-identical to an uninterrupted
/// run's: no line lost, none twice, and nothing the killed run started still running.
/// </summary>
/// <remarks>
/// Each trial draws its kill times from its own seed, printed with any failure: <c>BRIGADE_FAULT_SEED=N</c> replays the
/// schedule from trial N on, and <c>BRIGADE_FAULT_TRIALS=M</c> runs more trials (docs/reliability.md has the figures).
/// </remarks>
[Collection(nameof(FaultInjectionCollection))]
[Trait("Category", "FaultInjection")]
public sealed class KillAndResumeTests(ITestOutputHelper output)
{
    private const int SigInt = 2;
    private const int Items = 30;

    // Items finish out of order (every even one sleeps 0.10-0.19 s, the odd ones not at all); item 19 fails (the failures
    // file is compared too); every 9th leaves a background child holding its output for a moment (the whole process group
    // must go with a kill). 30 items and a sleep in half of them, not 60 items each with a `sleep` (126 processes a run,
    // 48 now): every process a trial's runs start is CPU the suite pays for (~33 s of it for this class before,
    // docs/performance.md), and the run lasts as long (0.36 s of sleeps a lane against 0.45 s), so the kill moments,
    // drawn over a whole run, fall in the same phases (start-up, mid-run, finishing).
    private const string Command =
        "case {} in item-19) echo bad >&2; exit 3;; esac; " +
        "[ $(( {#} % 9 )) -eq 0 ] && { sleep 0.2 & }; " +
        "[ $(( {#} % 2 )) -eq 0 ] && sleep 0.1$(( {#} * 7 % 10 )); printf '%s %s\\n' {} {#}";

    public static TheoryData<string> Kinds => ["sigkill", "sigint-group"];

    // Every wait inside is bounded (30 s for an exit, 60 s for a resume), so this only has to leave room for more trials.
    [Theory(Timeout = 1_800_000)]
    [MemberData(nameof(Kinds))]
    public async Task Run_KilledAtRandomMoments_ResumesToByteIdenticalOutput_NoOrphans(string kind)
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // signals to process groups, /proc for orphans
        }

        // 3 trials of each kind by default (6 until 2026-12-07): up to 9 kills each, at moments drawn over the whole run as
        // before, and every trial checks all it did. A trial is ~1.5 s of CPU (two or three starts of brigade), so the other
        // three of each kind were ~10 s of the suite's; the soak (BRIGADE_FAULT_TRIALS=40, docs/reliability.md) is where
        // the many schedules are tried.
        var trials = int.TryParse(Environment.GetEnvironmentVariable("BRIGADE_FAULT_TRIALS"), CultureInfo.InvariantCulture, out var t) ? t : 3;
        var firstSeed = int.TryParse(Environment.GetEnvironmentVariable("BRIGADE_FAULT_SEED"), CultureInfo.InvariantCulture, out var s) ? s : kind == "sigkill" ? 1000 : 2000;

        using var dir = new TempDirectory();
        var input = dir.File("in.txt");
        await File.WriteAllLinesAsync(input, Enumerable.Range(1, Items).Select(i => $"item-{i}"));
        string[] Args(string result) => ["run", input, "--exec", Command, "-o", result, "-j", "6", "-e", "threads", "-q"];

        var (reference, referenceFailures, referenceMs) = await s_reference.Value;

        // Kill times span a whole run, start-up included (a resumed run, with less left to do, may finish first).
        var span = (int)Math.Clamp(referenceMs * 0.9, 500, 5_000);
        int code;
        string stderr;

        int kills = 0, survived = 0, orphans = 0, lost = 0, duplicated = 0;
        for (var trial = 0; trial < trials; trial++)
        {
            var seed = firstSeed + trial;
            var random = new Random(seed);
            var result = dir.File($"trial-{seed}.txt");
            var journal = result + ".journal";
            var marker = $"BRIGADE_FI_{Guid.NewGuid():N}";
            var environment = new Dictionary<string, string> { ["BRIGADE_FI_MARKER"] = marker };
            var schedule = new List<string>();

            // Up to three kills, each at a random moment: during start-up, mid-run, or while finishing.
            for (var round = 0; round < 3; round++)
            {
                var resume = File.Exists(journal);
                string[] args = resume ? [.. Args(result), "--resume"] : Args(result);
                var delay = random.Next(20, span);
                using var brigade = kind == "sigkill" ? CliProcess.Start(dir.Path, environment, args) : CliProcess.StartInOwnGroup(dir.Path, environment, args);
                brigade.StandardInput.Close();
                var drained = Task.WhenAll(brigade.StandardOutput.ReadToEndAsync(), brigade.StandardError.ReadToEndAsync());
                // The kill's moment, or the run's end if that comes first (then no need to wait the rest of the delay).
                await Task.WhenAny(Task.Delay(delay), brigade.WaitForExitAsync());
                if (brigade.HasExited)
                {
                    schedule.Add($"{delay} ms: finished first");
                    await drained;
                    break;
                }

                kills++;
                if (kind == "sigkill")
                {
                    brigade.Kill();
                }
                else
                {
                    NativeMethods.KillProcessGroup(brigade.Id, SigInt);
                }

                await brigade.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
                var streams = await drained;
                schedule.Add($"{delay} ms: {kind} (exit {brigade.ExitCode})");
                if (kind != "sigkill")
                {
                    Assert.True(brigade.ExitCode is 130 or 0 or 1, $"seed {seed}: exit {brigade.ExitCode} after SIGINT: {streams[1]}");
                }

                // Nothing the killed run started may outlive it: its commands, their children, its reaper.
                var left = await WaitNoneLeftAsync(marker);
                orphans += left.Count;
                Assert.True(left.Count == 0, $"seed {seed} ({string.Join("; ", schedule)}): still running {ProcessTable.GoneBound.TotalSeconds:0} s after the kill: {string.Join(", ", left.Select(Describe))}");
            }

            // The run that finishes the trial is killed by nobody: in-process (CliRunner), the same files and exit code as a
            // process's, without a start of brigade (up to six per kind until 2026-12-05).
            if (File.Exists(journal))
            {
                (code, _, stderr) = await CliRunner.RunAsync([.. Args(result), "--resume"]);
            }
            else if (!File.Exists(result))
            {
                (code, _, stderr) = await CliRunner.RunAsync(Args(result)); // killed before it created anything
            }
            else
            {
                (code, stderr) = (1, "");
            }

            var actual = await File.ReadAllBytesAsync(result);
            var (missing, extra) = Compare(reference, actual);
            lost += missing;
            duplicated += extra;
            var context = $"seed {seed} ({string.Join("; ", schedule)}; BRIGADE_FAULT_SEED={seed} replays it): {missing} lines lost, {extra} extra";
            Assert.True(code == 1, $"{context}: exit {code}: {stderr}");
            var actualFailures = await File.ReadAllBytesAsync(result + ".failures.jsonl");
            Assert.True(reference.SequenceEqual(actual), context);
            Assert.True(referenceFailures.SequenceEqual(actualFailures), $"{context}: failures file differs");
            Assert.False(File.Exists(journal), context);
            survived += schedule.Count(e => !e.EndsWith("finished first", StringComparison.Ordinal));
            output.WriteLine($"seed {seed}: {string.Join("; ", schedule)}");
        }

        output.WriteLine($"{kind}: {trials} trials, kills survived {survived}/{kills}, lines lost {lost}, duplicates {duplicated}, orphans {orphans}");
    }

    // The uninterrupted run both kinds compare with, run once (a process, as the trials' runs: its wall time, start-up
    // included, sets the span the kill moments are drawn from). Each kind ran its own until 2026-12-07: the same bytes.
    private static readonly Lazy<Task<(byte[] Output, byte[] Failures, long Milliseconds)>> s_reference = new(RunReferenceAsync);

    private static async Task<(byte[] Output, byte[] Failures, long Milliseconds)> RunReferenceAsync()
    {
        using var dir = new TempDirectory();
        var input = dir.File("in.txt");
        await File.WriteAllLinesAsync(input, Enumerable.Range(1, Items).Select(i => $"item-{i}"));
        var clock = Stopwatch.StartNew();
        var (code, _, stderr) = await CliProcess.RunAsync(dir.Path, (string?)null, "run", input, "--exec", Command, "-o", dir.File("reference.txt"), "-j", "6", "-e", "threads", "-q");
        var milliseconds = clock.ElapsedMilliseconds;
        Assert.True(code == 1, stderr);
        return (await File.ReadAllBytesAsync(dir.File("reference.txt")), await File.ReadAllBytesAsync(dir.File("reference.txt.failures.jsonl")), milliseconds);
    }

    private static async Task<List<int>> WaitNoneLeftAsync(string marker)
    {
        var clock = Stopwatch.StartNew();
        List<int> left;
        while ((left = ProcessTable.WithEnvironment(marker)).Count > 0 && clock.Elapsed < ProcessTable.GoneBound)
        {
            await Task.Delay(50);
        }

        return left;
    }

    private static string Describe(int pid)
    {
        try
        {
            return $"{pid} {File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim()}";
        }
        catch (IOException)
        {
            return $"{pid} (gone)";
        }
    }

    // Lines of the reference missing from the result, and lines of the result beyond the reference's (duplicates).
    private static (int Missing, int Extra) Compare(byte[] reference, byte[] actual)
    {
        var expected = System.Text.Encoding.UTF8.GetString(reference).Split('\n', StringSplitOptions.RemoveEmptyEntries).GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
        var got = System.Text.Encoding.UTF8.GetString(actual).Split('\n', StringSplitOptions.RemoveEmptyEntries).GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
        var missing = expected.Sum(e => Math.Max(0, e.Value - got.GetValueOrDefault(e.Key)));
        var extra = got.Sum(g => Math.Max(0, g.Value - expected.GetValueOrDefault(g.Key)));
        return (missing, extra);
    }
}
