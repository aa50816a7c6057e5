using Brigade.Cli.Demo.Model;
using Brigade.Cli.Demo.Work;
using Brigade.Processes;
using Spectre.Console;

namespace Brigade.Cli.Demo.Scenes;

/// <summary>An item that kills its worker process mid-run (Environment.FailFast): the run completes and names it.</summary>
internal sealed class CrashContainmentScene : IDemoScene
{
    public string Id => "crash-containment";

    public string Title => "Crash containment: an item that kills its process";

    public async Task<SceneResult> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var result = new SceneResult { Id = Id, Title = Title };
        var items = Enumerable.Range(0, context.Quick ? 40 : 100).ToArray();
        var label = $"{items.Length} items, item {FailFastWork.Culprit} calls Environment.FailFast";
        context.Live($"  [grey]processes:[/] {items.Length} items of 20 ms on 2 worker processes; item {FailFastWork.Culprit} calls [red]Environment.FailFast[/], as a crashing native library would");

        var engine = new ProcessEngine(new ProcessEngineOptions { MaxWorkers = 2, ForwardWorkerOutput = false });
        try
        {
            var run = await Runner.MapAsync(items, new FailFastWork(), DemoContext.Options(engine, label), cancellationToken).ConfigureAwait(false);
            var report = run.Report;
            result.Runs.Add(context.Record(report));
            var stats = engine.GetStatistics();
            foreach (var failure in report.Failures)
            {
                context.Live($"  [red]item {failure.Index} failed:[/] {Markup.Escape(failure.Exception.GetType().Name)}: {Markup.Escape(FirstLine(failure.Exception.Message))}");
            }

            var culprit = report.Failures.Count > 0 ? report.Failures[0] : null;
            var crash = culprit?.Exception as WorkerCrashedException;
            var lastWords = crash?.StandardErrorTail.FirstOrDefault(l => l.Contains("FailFast", StringComparison.Ordinal) || l.Contains("item", StringComparison.Ordinal));
            result.Conclusion = culprit is null
                ? $"No item failed ({report.Succeeded} succeeded): the crash did not happen."
                : $"Item {culprit.Index} took down {crash?.Crashes ?? 0} worker processes ({(crash?.Signal is { } s ? $"signal {s}{(Brigade.Internal.SignalName.Of(s) is { } name ? ", " + name : "")}" : $"exit code {crash?.ExitCode}")}); " +
                  $"it was isolated and reported failed, and the other {report.Succeeded} of {report.Items} items completed: nothing lost. " +
                  $"{stats.WorkerCrashes} worker{(stats.WorkerCrashes == 1 ? " was" : "s were")} replaced and {stats.ItemsRetried} item run{(stats.ItemsRetried == 1 ? "" : "s")} retried." +
                  (lastWords is null ? "" : $" The worker's last words: \"{lastWords.Trim()}\".");
        }
        finally
        {
            await engine.DisposeAsync().ConfigureAwait(false);
        }

        return result;
    }

    // The message up to where the worker's standard error starts (that part is in the conclusion).
    private static string FirstLine(string text)
    {
        var end = text.IndexOf("; last lines", StringComparison.Ordinal);
        end = end < 0 ? text.IndexOf('\n', StringComparison.Ordinal) : end;
        return end < 0 ? text : text[..end].TrimEnd();
    }
}
