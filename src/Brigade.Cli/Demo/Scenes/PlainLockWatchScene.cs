using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Brigade.Cli.Commands;
using Brigade.Cli.Demo.Model;
using Brigade.Diagnostics;

namespace Brigade.Cli.Demo.Scenes;

/// <summary>
/// <c>PlainLockWatch</c> live: a child process of plain .NET code (two transfers on two <c>lock</c> objects, no Brigade
/// primitive) runs with the watch on and deadlocks; the watch notices the long contention, dumps and analyzes its own
/// process, and reports the cycle through <c>PitfallDiagnostics</c> while the process runs on.
/// </summary>
internal sealed partial class PlainLockWatchScene : IDemoScene
{
    private const int ThresholdMs = 1000;

    public string Id => "plain-lock-watch";

    public string Title => "PlainLockWatch: a plain lock deadlock caught live, in code that uses no Brigade lock";

    public async Task<SceneResult> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var result = new SceneResult { Id = Id, Title = Title };
        using var child = CliChild.Start(DoctorDemoChildCommand.Name, "--watch", "--threshold-ms", ThresholdMs.ToString(CultureInfo.InvariantCulture));
        var stderr = child.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            context.Live($"  [grey]Child process {child.Id}: PlainLockWatch.Start(threshold {ThresholdMs} ms); transfer-1 takes lock Checking then Savings, transfer-2 Savings then Checking: "
                + "a deadlock of plain C# the moment both hold their first lock.[/]");
            var output = new StringBuilder();
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(TimeSpan.FromSeconds(90));
            string? line;
            try
            {
                while ((line = await child.StandardOutput.ReadLineAsync(deadline.Token).ConfigureAwait(false)) is not null && line != "end of report")
                {
                    output.AppendLine(line);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Not reported within 90 s: said below.
            }

            var text = output.ToString();
            var detected = Latency().Match(text);
            var report = text.IndexOf(PitfallCodes.Deadlock + " ", StringComparison.Ordinal) is var at and >= 0 ? text[(at + PitfallCodes.Deadlock.Length + 1)..].TrimEnd() : null;
            result.Detected = detected.Success && report is not null;
            if (!result.Detected.Value)
            {
                if (!child.HasExited)
                {
                    await CliChild.StopAsync(child).ConfigureAwait(false);
                }

                var why = (text + await stderr.ConfigureAwait(false)).Trim();
                result.Conclusion = "The watch did not report the deadlock within 90 s" + (why.Length > 0 ? $": {why.Split('\n')[^1]}" : ".");
                context.Live($"  [red]{Spectre.Console.Markup.Escape(result.Conclusion)}[/]");
                return result;
            }

            var latency = double.Parse(detected.Groups[1].Value, CultureInfo.InvariantCulture);
            context.Live($"  [red]{PitfallCodes.Deadlock}[/] reported by the watch {latency:0} ms after the deadlock formed:");
            PitfallSceneHelpers.ShowReport(context, "yellow", PitfallSceneHelpers.WithoutStacks(report!));
            var alive = !child.HasExited;
            result.DetectionMs = DemoContext.Round(latency, 2);
            result.Report = report;
            result.Conclusion = string.Create(CultureInfo.InvariantCulture,
                $"PlainLockWatch caught a deadlock of two plain lock objects {latency:0} ms after it formed (threshold {ThresholdMs} ms, then one dump and its analysis, in the process itself), "
                + $"named both threads and both locks ({PitfallCodes.Deadlock}), and the process {(alive ? "kept running" : "exited")}: no Brigade lock in the code, only PlainLockWatch.Start().");
            return result;
        }
        finally
        {
            await CliChild.StopAsync(child).ConfigureAwait(false);
        }
    }

    [GeneratedRegex(@"detected (\d+) ms after the deadlock formed")]
    private static partial Regex Latency();
}
