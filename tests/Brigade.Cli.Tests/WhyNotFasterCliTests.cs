using System.Text.Json;
using System.Text.RegularExpressions;

namespace Brigade.Cli.Tests;

/// <summary>
/// Issue 18 in the CLI: <c>brigade run</c>'s summary line "why not faster", and the demo's <c>--json</c> fields
/// <c>losses</c> (per Brigade run) and <c>whyNotFaster</c> (per scene). Only shapes and causes built in by a wide margin:
/// no timing bound.
/// </summary>
public sealed class WhyNotFasterCliTests(TinyTasksDemoFixture demo) : IClassFixture<TinyTasksDemoFixture>
{
    [Fact(Timeout = 120_000)]
    public async Task Run_Straggler_SummaryExplainsWhyNotFaster()
    {
        // The cause is a measurement: at load 45-55 (ten busy loops beside two test hosts on 2 cores) the commands' start
        // took seconds and imbalance fell out of the line's three largest causes once in three runs, rightly (the gap was
        // the machine's). Up to three tries, as for any measured figure in these tests: a product that never named
        // imbalance here still fails every one.
        var tries = new List<string>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            using var dir = new TempDirectory();
            await File.WriteAllLinesAsync(dir.File("in.txt"), ["short", "long"]);

            // Two workers, one item each: the short one ends once the long one has started, the long one sleeps 800 ms
            // after that, so the first worker sits idle for most of the run (imbalance: about half the ideal). The short
            // item waits for the long one's start (a file it touches; at most 30 s): otherwise, when the second worker came
            // after the short item had ended (auto mode's sample starts with one worker; in a busy test host its widening
            // or its second loop can come 100 ms late), the two items ran one after the other, and the product rightly named
            // start-up, not imbalance (ci136: no "imbalance" in the summary).
            var started = dir.File("long-started");
            var command = $"case {{}} in short) i=0; until [ -e {started} ] || [ $i -ge 3000 ]; do sleep 0.01; i=$((i+1)); done;; *) touch {started}; sleep 0.8;; esac";
            var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "--exec", command, "-o", dir.File("out.txt"), "-j", "2");

            Assert.True(code == 0, stderr);
            if (Regex.IsMatch(stderr, @"brigade run: why not faster: \d+% of the ideal; lost to [^\n]*imbalance"))
            {
                return;
            }

            tries.Add(stderr);
        }

        Assert.Fail("no \"why not faster: ... lost to ... imbalance\" line in three tries:\n" + string.Join("\n--- next try ---\n", tries));
    }

    [Fact]
    public void DemoJson_EveryBrigadeRunHasLossesThatSumToTheGap_AndTheSceneSaysWhyNotFaster()
    {
        Assert.True(demo.ExitCode == 0, demo.Stderr);
        using var document = JsonDocument.Parse(demo.Stdout);
        var scene = document.RootElement.GetProperty("scenes")[0];
        var runs = scene.GetProperty("runs").EnumerateArray().Where(r => r.GetProperty("engine").GetString() != "baseline").ToList();
        Assert.NotEmpty(runs);
        foreach (var run in runs)
        {
            var losses = run.GetProperty("losses");
            Assert.True(losses.GetProperty("width").GetInt32() >= 1);
            var ideal = losses.GetProperty("idealSeconds").GetDouble();
            var gap = losses.GetProperty("gapSeconds").GetDouble();
            // Each figure is rounded to the microsecond on its own: compare within a few of them, not to a number of places.
            Assert.InRange(ideal - losses.GetProperty("usefulSeconds").GetDouble() - gap, -5e-6, 5e-6);
            var sum = losses.GetProperty("causes").EnumerateArray().Sum(c => c.GetProperty("seconds").GetDouble());
            Assert.InRange(sum, gap - (Math.Abs(gap) * 0.05) - 1e-5, gap + (Math.Abs(gap) * 0.05) + 1e-5);
            foreach (var cause in losses.GetProperty("causes").EnumerateArray())
            {
                Assert.Contains(cause.GetProperty("cause").GetString(), Causes);
                Assert.False(string.IsNullOrWhiteSpace(cause.GetProperty("description").GetString()));
            }

            Assert.Equal(JsonValueKind.Number, losses.GetProperty("efficiency").ValueKind);
            Assert.True(losses.GetProperty("speedup").GetDouble() >= 0);
            Assert.Equal(JsonValueKind.Array, losses.GetProperty("advice").ValueKind);
        }

        // 100,000 trivial items one by one on the thread pool lose most of their ideal to overhead: the scene explains it.
        var why = scene.GetProperty("whyNotFaster").GetString();
        Assert.Matches(@"\d+% of the ideal", why);
        Assert.Contains("Why not faster", scene.GetProperty("conclusion").GetString(), StringComparison.Ordinal);
    }

    private static readonly string[] Causes = ["start-up", "imbalance", "overhead", "waiting-for-core", "gc-pauses", "lock-contention", "blocking", "unexplained", "width-change", "input-end"];
}
