using System.Diagnostics;
using Brigade.Cli.Demo.Model;
using Brigade.Synchronization;
using Brigade.Testing;

namespace Brigade.Cli.Demo.Scenes;

/// <summary>
/// Systematic exploration: a check-then-act race (two flows claim a slot; each checks it is free, then takes it, with
/// atomic operations but not atomically together) that a thousand plain runs on real threads never hit, found by the
/// explorer in a few schedules, with the seed that replays it.
/// </summary>
internal sealed class ExplorationScene : IDemoScene
{
    public string Id => "exploration";

    public string Title => "Exploration: a check-then-act race that plain repeated runs miss";

    public async Task<SceneResult> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var result = new SceneResult { Id = Id, Title = Title };
        var plainRuns = context.Quick ? 300 : 1000;
        context.Live($"  [grey]Two flows each do: if (slot.ReadAcquire() == 0) {{ slot.WriteRelease(me); winners.Increment(); }} — exactly one should win. Running it {plainRuns} times on two real threads...[/]");
        var plainWatch = Stopwatch.StartNew();
        var wrong = 0;
        for (var i = 0; i < plainRuns; i++)
        {
            var slot = new Shared<int>("slot");
            var winners = new Shared<int>("winners");
            var a = PitfallSceneHelpers.RunThread("claimer-1", () => Claim(slot, winners, 1));
            var b = PitfallSceneHelpers.RunThread("claimer-2", () => Claim(slot, winners, 2));
            await Task.WhenAll(a, b).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            if (winners.ReadAcquire() != 1)
            {
                wrong++;
            }
        }

        var plainTime = plainWatch.Elapsed;
        context.Live($"  Plain runs: [{(wrong == 0 ? "green" : "red")}]{wrong} of {plainRuns}[/] had two winners ({plainTime.TotalSeconds:0.00} s).");

        context.Live("  [grey]The explorer runs the same code under controlled schedules (PCT), switching flows at every Brigade synchronization point...[/]");
        var found = Explorer.Explore(Test, new ExplorationOptions { Seed = 2026 });
        if (found.Bug is { } bug)
        {
            context.Live($"  [red]Found[/] in schedule {bug.Schedule} of {found.SchedulesExplored} ({found.Elapsed.TotalMilliseconds:0.0} ms, {found.SchedulesPerSecond:N0} schedules/s):");
            PitfallSceneHelpers.ShowReport(context, "yellow", bug.ToString());
            var replay = Explorer.Replay(Test, bug.ReplaySeed);
            context.Live($"  Replaying seed {bug.ReplaySeed}: {(replay.Bug?.Kind == bug.Kind ? "[green]the same failure, deterministically[/]" : "[red]not reproduced[/]")}.");
            result.Detected = true;
            result.DetectionMs = PitfallSceneHelpers.Milliseconds(found.Elapsed);
            result.Report = bug.ToString();
            result.Conclusion =
                $"{plainRuns} plain runs on real threads had {wrong} wrong outcomes{(wrong == 0 ? " (the window is a few instructions wide)" : "")}; the explorer found two winners in schedule {bug.Schedule} " +
                $"({found.Elapsed.TotalMilliseconds:0.0} ms) and its seed {bug.ReplaySeed} {(replay.Bug?.Kind == bug.Kind ? "replays the same failure" : "did not replay it")}.";
        }
        else
        {
            result.Detected = false;
            result.Conclusion = $"The explorer found nothing in {found.SchedulesExplored} schedules.";
        }

        return result;

        static void Test(ExplorationContext context)
        {
            var slot = new Shared<int>("slot");
            var winners = new Shared<int>("winners");
            var a = context.Spawn(() => Claim(slot, winners, 1), "claimer-1");
            var b = context.Spawn(() => Claim(slot, winners, 2), "claimer-2");
            a.Join();
            b.Join();
            ExplorationContext.Assert(winners.ReadAcquire() == 1, $"exactly one claimer wins, but {winners.ReadAcquire()} did");
        }
    }

    private static void Claim(Shared<int> slot, Shared<int> winners, int me)
    {
        if (slot.ReadAcquire() == 0)
        {
            slot.WriteRelease(me);
            winners.Increment();
        }
    }
}
