using System.Diagnostics;
using Brigade.Cli.Commands;
using Brigade.Cli.Demo.Model;
using Brigade.Diagnostics;
using Brigade.Doctor;

namespace Brigade.Cli.Demo.Scenes;

/// <summary>
/// A stuck process of plain .NET code (no Brigade in it) diagnosed from outside, as <c>brigade doctor --pid</c> does:
/// a deadlock on two <c>lock</c> objects, two async flows stuck on each other's <c>SemaphoreSlim</c> async lock (a possible
/// deadlock: a semaphore records no owner) and a pool starved by sync-over-async, found in one dump; the process keeps
/// running (then the scene stops it).
/// </summary>
internal sealed class DoctorScene : IDemoScene
{
    public string Id => "doctor";

    public string Title => "brigade doctor: a hung process of plain .NET code, diagnosed from outside";

    public async Task<SceneResult> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var result = new SceneResult { Id = Id, Title = Title };
        using var child = CliChild.Start(DoctorDemoChildCommand.Name);
        try
        {
            var ready = child.StandardOutput.ReadLineAsync(cancellationToken).AsTask();
            if (await Task.WhenAny(ready, Task.Delay(TimeSpan.FromSeconds(30), cancellationToken)).ConfigureAwait(false) != ready || await ready.ConfigureAwait(false) != "ready")
            {
                throw new InvalidOperationException("the stuck child process did not start");
            }

            _ = child.StandardOutput.ReadToEndAsync(cancellationToken);
            context.Live($"  [grey]Child process {child.Id}: plain .NET code. transfer-1 holds lock Checking and waits for Savings; transfer-2 holds Savings and waits for Checking; "
                + "two async flows hold one SemaphoreSlim async lock each and await the other's (no thread blocked); "
                + $"{Environment.ProcessorCount * 4} work items block pool threads on an async call (.GetAwaiter().GetResult()) whose continuation needs the pool (capped at {Environment.ProcessorCount} threads). Diagnosing it from outside...[/]");

            var watch = Stopwatch.StartNew();
            var diagnosis = await Doctor.Doctor.DiagnoseProcessAsync(child.Id, new DoctorOptions { DumpDirectory = Directory.Exists("/dev/shm") ? "/dev/shm" : null }, cancellationToken).ConfigureAwait(false);
            var elapsed = watch.Elapsed;
            var alive = !child.HasExited;

            foreach (var report in diagnosis.Reports)
            {
                context.Live($"  [red]{report.Code}[/]");
                PitfallSceneHelpers.ShowReport(context, "yellow", PitfallSceneHelpers.WithoutStacks(report.Message));
            }

            context.Live($"  [grey]Diagnosed in {elapsed.TotalSeconds:0.00} s (dump {diagnosis.DumpDuration.TotalSeconds:0.00} s, analysis {diagnosis.AnalysisDuration.TotalSeconds:0.00} s); "
                + $"the child {(alive ? "is still running" : "exited")} (pid {child.Id}). Stopping it.[/]");

            // A cycle of threads has links; review 57's cycles of awaits among async flows have neither kind.
            var deadlock = diagnosis.Deadlocks.FirstOrDefault(c => c.Links.Count > 0 && c.AsyncLinks.Count == 0);
            var asyncDeadlock = diagnosis.Deadlocks.FirstOrDefault(c => c.AsyncLinks.Count > 0);
            var starvation = diagnosis.Reports.FirstOrDefault(r => r.Kind == PitfallKind.ThreadPoolStarvation);
            result.Detected = deadlock is not null && asyncDeadlock is not null && starvation is not null;
            result.DetectionMs = PitfallSceneHelpers.Milliseconds(elapsed);
            result.Report = diagnosis.Reports.Count == 0 ? null : string.Join("\n\n", diagnosis.Reports.Select(r => r.Message));
            result.Conclusion = diagnosis.Reports.Count == 0
                ? $"brigade doctor found nothing in the stuck child this time (it took {elapsed.TotalSeconds:0.00} s)."
                : $"brigade doctor diagnosed the stuck child from outside in {elapsed.TotalSeconds:0.00} s (dump {diagnosis.DumpDuration.TotalSeconds:0.00} s, analysis {diagnosis.AnalysisDuration.TotalSeconds:0.00} s): "
                  + (deadlock is null ? "no deadlock of threads" : $"a deadlock of {deadlock.Links.Count} threads over two plain lock objects ({PitfallCodes.Deadlock})")
                  + (asyncDeadlock is null ? ", no async deadlock" : $", a possible deadlock of {asyncDeadlock.AsyncLinks.Count} async flows over two SemaphoreSlim async locks ({PitfallCodes.Deadlock}; no thread blocked)")
                  + (starvation is null ? "" : $" and thread-pool starvation by sync-over-async, {diagnosis.ThreadPool!.QueuedWorkItems} work items queued ({PitfallCodes.ThreadPoolStarvation})")
                  + $"; the child was {(alive ? "left running" : "not left running")} until the scene stopped it.";
            return result;
        }
        finally
        {
            await CliChild.StopAsync(child).ConfigureAwait(false);
        }
    }
}
