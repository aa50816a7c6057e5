using Brigade.Cli.Demo.Model;
using Brigade.Diagnostics;
using Brigade.Synchronization;

namespace Brigade.Cli.Demo.Scenes;

/// <summary>Lock-order checking: an inversion caught in a program that did not hang, because the two paths never overlapped.</summary>
internal sealed class LockOrderScene : IDemoScene
{
    public string Id => "lock-order";

    public string Title => "Lock-order inversion: a potential deadlock caught in a run that did not hang";

    public async Task<SceneResult> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var result = new SceneResult { Id = Id, Title = Title };
        var diagnostics = new PitfallDiagnostics { LockOrderMode = LockOrderMode.Report };
        var accounts = new DetectingLock(new LockOptions { Name = "accounts", Diagnostics = diagnostics });
        var audit = new DetectingLock(new LockOptions { Name = "audit log", Diagnostics = diagnostics });

        context.Live("  [grey]The nightly report takes accounts, then the audit log; it finishes.[/]");
        await PitfallSceneHelpers.RunThread("nightly-report", () =>
        {
            using (accounts.Acquire(cancellationToken))
            using (audit.Acquire(cancellationToken))
            {
            }
        }).ConfigureAwait(false);

        context.Live("  [grey]Later, never at the same time, a refund takes the audit log, then accounts; it finishes too: nothing hangs.[/]");
        await PitfallSceneHelpers.RunThread("refund", () =>
        {
            using (audit.Acquire(cancellationToken))
            using (accounts.Acquire(cancellationToken))
            {
            }
        }).ConfigureAwait(false);

        var report = diagnostics.Reports.OfType<LockOrderReport>().FirstOrDefault();
        if (report is not null)
        {
            context.Live("  [red]Reported anyway[/] — the day both run at once, each holds one lock and waits for the other:");
            PitfallSceneHelpers.ShowReport(context, "yellow", report.Message);
        }

        // In Throw mode (for tests and CI), the inverting acquisition fails fast instead.
        diagnostics.LockOrderMode = LockOrderMode.Throw;
        var refusedInThrowMode = false;
        await PitfallSceneHelpers.RunThread("refund", () =>
        {
            using (audit.Acquire(cancellationToken))
            {
                try
                {
                    using (accounts.Acquire(cancellationToken))
                    {
                    }
                }
                catch (LockOrderException)
                {
                    refusedInThrowMode = true;
                }
            }
        }).ConfigureAwait(false);
        context.Live($"  [grey]With LockOrderMode.Throw the refund {(refusedInThrowMode ? "is refused with LockOrderException before it waits" : "was not refused")}.[/]");

        result.Detected = report is not null;
        result.Report = report?.Message;
        result.Conclusion = report is null
            ? "No inversion was reported."
            : $"Neither run hung, yet Brigade reported the inversion ({PitfallCodes.LockOrderInversion}) with both acquisition paths, like Linux lockdep: " +
              $"accounts → audit log in the nightly report, audit log → accounts in the refund. Fix it with one global order; in Throw mode the refund " +
              $"{(refusedInThrowMode ? "fails fast" : "would fail fast")} with LockOrderException.";
        return result;
    }
}
