using System.Globalization;
using Spectre.Console;

namespace Brigade.Cli.Run;

/// <summary>
/// Shows a run's progress on stderr: a live bar with rate, ETA, running and failed counts on a terminal, plain
/// periodic lines when stderr is redirected (logs, CI), nothing with <c>--quiet</c>.
/// </summary>
internal sealed class ProgressView : IAsyncDisposable
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(2);
    private readonly RunCounters _counters;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private ProgressView(RunCounters counters, Func<CancellationToken, Task> loop)
    {
        _counters = counters;
        _loop = loop(_stop.Token);
    }

    public static ProgressView Start(RunCounters counters, TextWriter stderr, bool quiet, bool interactive)
    {
        if (quiet)
        {
            return new ProgressView(counters, _ => Task.CompletedTask);
        }

        if (interactive)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stderr) });
            return new ProgressView(counters, token => LiveAsync(console, counters, token));
        }

        return new ProgressView(counters, token => PlainAsync(stderr, counters, token));
    }

    public static string Describe(RunCounters c)
    {
        var elapsed = DateTimeOffset.UtcNow - c.Started;
        var doneNow = c.Delivered - c.ResumedFrom;
        var rate = elapsed.TotalSeconds > 0 ? doneNow / elapsed.TotalSeconds : 0;
        var total = c.Total is { } t ? $"/{t.ToString("N0", CultureInfo.InvariantCulture)}" : "";
        var percent = c.Total is { } tt && tt > 0 ? $" ({100.0 * c.Delivered / tt:0.0}%)" : "";
        var eta = c.Total is { } n && rate > 0 ? $", ETA {TimeSpan.FromSeconds(Math.Max(0, (n - c.Delivered) / rate)):hh\\:mm\\:ss}" : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{c.Delivered:N0}{total} done{percent}, {c.Failed:N0} failed, {c.Running:N0} running, {rate:N1}/s{eta}");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private static async Task PlainAsync(TextWriter stderr, RunCounters counters, CancellationToken token)
    {
        using var timer = new PeriodicTimer(PlainInterval);
        while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false))
        {
            await stderr.WriteLineAsync($"brigade run: {Describe(counters)}").ConfigureAwait(false);
        }
    }

    private static Task LiveAsync(IAnsiConsole console, RunCounters counters, CancellationToken token) =>
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask("items", maxValue: counters.Total ?? 1);
                task.IsIndeterminate = counters.Total is null;
                try
                {
                    while (!token.IsCancellationRequested)
                    {
                        task.Value = counters.Delivered;
                        task.Description = Markup.Escape(Describe(counters));
                        await Task.Delay(100, token).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException)
                {
                }

                task.Value = counters.Delivered;
                task.Description = Markup.Escape(Describe(counters));
                task.StopTask();
            });
}
