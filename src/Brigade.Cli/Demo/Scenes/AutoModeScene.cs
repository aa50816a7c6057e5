using System.Globalization;
using Brigade.Cli.Demo.Model;
using Brigade.Workloads;
using Spectre.Console;

namespace Brigade.Cli.Demo.Scenes;

/// <summary>Auto mode faces each reference workload, next to the engine an expert would hand-pick for it.</summary>
internal sealed class AutoModeScene : IDemoScene
{
    public string Id => "auto-mode";

    public string Title => "Auto mode: measure, choose, explain — against a hand-picked engine";

    public async Task<SceneResult> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var result = new SceneResult { Id = Id, Title = Title };
        var suite = await WorkloadSuite.StartAsync(context.Quick ? WorkloadScale.Test : WorkloadScale.Quick, cancellationToken).ConfigureAwait(false);
        await using var disposeSuite = suite.ConfigureAwait(false);
        var auto = WorkloadComparison.CreateAutoEngine();
        int matched = 0, within = 0;
        foreach (var workload in suite.All)
        {
            var comparison = await WorkloadComparison.RunAsync(workload, auto, repetitions: 1, alternatives: 1, cancellationToken: cancellationToken).ConfigureAwait(false);
            var autoReport = comparison.Auto.Report;
            var pick = comparison.Alternatives[0];
            var cls = WorkloadClassNames.Of(comparison.MeasuredClass);
            // Record gives every auto run its plan and class (the class is the last plan's: comparison.MeasuredClass).
            result.Runs.Add(context.Record(autoReport));
            result.Runs.Add(context.Record(pick.Report));
            matched += comparison.ClassMatches ? 1 : 0;
            within += comparison.Ratio <= 1.15 ? 1 : 0;
            context.Live(
                $"  [bold]{Markup.Escape(workload.Id)}[/] [grey]({Markup.Escape(workload.Title)})[/]: auto {Seconds(autoReport.WallTime)} s, " +
                $"{Markup.Escape(pick.Label)} {Seconds(pick.Report.WallTime)} s — {(comparison.ClassMatches ? "[green]" : "[red]")}{cls}[/]");
            context.Live($"    [grey]{Markup.Escape(autoReport.Plan ?? "")}[/]");
        }

        result.Conclusion =
            $"Auto mode measured the labelled class on {matched} of {suite.All.Count} workloads and, sampling included, ran within 1.15× of the " +
            $"hand-picked engine on {within} of {suite.All.Count}" +
            (context.Quick ? " (quick runs last tens of milliseconds, where a few milliseconds of sampling show)" : "") +
            ". Every plan says why in one line; see 'brigade advise' for all alternatives and docs/performance.md for full-size figures.";
        return result;
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);
}
