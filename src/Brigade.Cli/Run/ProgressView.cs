using System.Globalization;
using System.Text;

namespace Brigade.Cli.Run;

/// <summary>
/// Shows a run's progress on stderr: on a terminal, one status line pinned to the bottom row while results (on
/// stdout, or anything else) scroll above it; plain periodic lines when stderr is redirected (logs, CI); nothing with
/// <c>--quiet</c>.
/// </summary>
/// <remarks>
/// <para>The status line lives outside the terminal's scroll region (DECSTBM: rows 1 to N-1 scroll, row N is the
/// status), the way apt pins its progress bar: results written to stdout at any time, from any thread, scroll within the
/// region and into the scrollback, and the status never draws over them nor they over it. Each redraw is one write
/// (save cursor, go to row N, draw, restore cursor), which a terminal applies whole. The line is cut to the terminal's
/// width, so it never wraps; percent and ETA appear once. When the run ends the region is reset and the row cleared.</para>
/// <para>Spectre.Console's live progress redraws the lines above the cursor, which erased results printed to the same
/// terminal: it is not used here.</para>
/// </remarks>
internal sealed class ProgressView : IAsyncDisposable
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan LiveInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan StuckWrite = TimeSpan.FromSeconds(1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly StatusLine? _status;

    // Progress is a view: a stderr that cannot be written (a full disk, a closed pipe) ends it, never the run.
    private ProgressView(Func<CancellationToken, Task> loop, StatusLine? status = null)
    {
        _status = status;
        _loop = Quietly(loop, _stop.Token);
    }

    /// <summary>
    /// Called before brigade writes a result or a failure line: on a terminal resized since the status line last looked,
    /// moves the status row first. Review 57: the status line looked every 0.2 s, and on a loaded machine (CI at load 35) its
    /// look came after the next result, which the terminal's reset scroll region let land on the old status row, where it
    /// was then cleared (tmux made shorter after result 4 lost result 5 from the scrollback).
    /// </summary>
    public void BeforeOutput() => _status?.FollowResize();

    public static ProgressView Start(RunCounters counters, TextWriter stderr, bool quiet, bool interactive)
    {
        if (quiet)
        {
            return new ProgressView(_ => Task.CompletedTask);
        }

        if (interactive && !OperatingSystem.IsWindows() && Environment.GetEnvironmentVariable("TERM") is not (null or "" or "dumb"))
        {
            var status = new StatusLine(TerminalSize);
            return new ProgressView(token => status.RunAsync(stderr, counters, token), status);
        }

        return new ProgressView(token => PlainAsync(stderr, counters, token));
    }

    /// <summary>The counts in words, for the plain lines: "12/30 done (40.0%), 0 failed, 3 running, 4.1/s, ETA 00:00:05".</summary>
    public static string Describe(RunCounters counters)
    {
        var c = Counts.Of(counters);
        var (rate, eta) = RateAndEta(c);
        var known = KnownTotal(c);
        var total = known is { } t ? $"/{t.ToString("N0", CultureInfo.InvariantCulture)}" : "";
        var percent = known is { } tt && tt > 0 ? $" ({100.0 * c.Delivered / tt:0.0}%)" : "";
        var etaText = eta is { } e ? $", ETA {Clock(e)}" : "";
        var stall = ShownStall(counters) is { } s ? string.Create(CultureInfo.InvariantCulture, $"; the output waits for line {s.Line:N0} ({Clock(s.Waited)}, {s.Held:N0} {(s.Held == 1 ? "result" : "results")} held)") : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{c.Delivered:N0}{total} done{percent}, {c.Failed:N0} failed, {c.Running:N0} running, {rate:N1}/s{etaText}{stall}");
    }

    // An ordered run's output held behind one slow item says so once the wait is long enough to be noticed: "1 running"
    // alone did not tell why nothing came out (review 46 gave the library the wait; brigade run did not show it).
    private static OrderedStall? ShownStall(RunCounters c) => c.Stall is { } s && s.Waited >= StallShown ? s : null;

    private static readonly TimeSpan StallShown = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The status line, at most <paramref name="width"/> characters: a bar when there is room, then the counts; what
    /// does not fit is dropped from the right, whole fields first, so nothing wraps.
    /// </summary>
    /// <example><c>[#######.......] 12/30 40% | 3 running | 0 failed | 4.1/s | ETA 0:05</c>; an ordered run held behind a slow
    /// item adds <c>waits for line 3 0:02</c> before the ETA.</example>
    public static string StatusText(RunCounters counters, int width)
    {
        var c = Counts.Of(counters);
        width = Math.Max(10, width);
        var (rate, eta) = RateAndEta(c);
        var known = KnownTotal(c);
        var fields = new List<string>
        {
            known is { } t
                ? string.Create(CultureInfo.InvariantCulture, $"{c.Delivered:N0}/{t:N0} {(t > 0 ? 100 * c.Delivered / t : 100)}%")
                : string.Create(CultureInfo.InvariantCulture, $"{c.Delivered:N0} done"),
            string.Create(CultureInfo.InvariantCulture, $"{c.Running:N0} running"),
            string.Create(CultureInfo.InvariantCulture, $"{c.Failed:N0} failed"),
            string.Create(CultureInfo.InvariantCulture, $"{rate:0.#}/s"),
        };
        if (ShownStall(counters) is { } stall)
        {
            fields.Add(string.Create(CultureInfo.InvariantCulture, $"waits for line {stall.Line:N0} {Clock(stall.Waited)}"));
        }

        if (eta is { } e)
        {
            fields.Add($"ETA {Clock(e)}");
        }

        var text = string.Join(" | ", fields);
        while (text.Length > width && fields.Count > 1)
        {
            fields.RemoveAt(fields.Count - 1);
            text = string.Join(" | ", fields);
        }

        // A bar only where it leaves the counts whole: between 10 and 30 columns of it.
        var room = width - text.Length - 3;
        if (known is { } total && room >= 10)
        {
            var cells = Math.Min(30, room);
            var filled = total > 0 ? (int)Math.Min(cells, cells * c.Delivered / total) : cells;
            text = $"[{new string('#', filled)}{new string('.', cells - filled)}] {text}";
        }

        return text.Length > width ? text[..width] : text;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);

        // The loop ends at once, unless its write is stuck (stderr a pipe nobody reads, a terminal stopped with Ctrl+S):
        // the end of the run, or its interrupt, does not wait for that write.
        if (await Task.WhenAny(_loop, Task.Delay(StuckWrite, CancellationToken.None)).ConfigureAwait(false) != _loop)
        {
            return;
        }

        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private static async Task Quietly(Func<CancellationToken, Task> loop, CancellationToken token)
    {
        try
        {
            await loop(token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The loop runs on a timer: an exception here would surface at the end of the run as its failure.
        }
    }

    // The input's count is taken when the run starts: a file appended to while it runs yields more items than that, and the
    // line read "26/10 done (260.0%)" (review 40). Once the items done or running pass the count, the total is no longer
    // known: the line shows what an input of unknown length shows (no total, percent, bar or ETA).
    // Review 72: the items running are counted so that done plus running never passes the items taken (RunCounters.Running),
    // and the counts are read once per line, done first: a line no longer drops a regular file's total for a moment's
    // over-count ("16 done, 0 failed, 5 running" of 20 lines).
    private static long? KnownTotal(Counts c) =>
        c.Total is { } total && c.Delivered + c.Running <= total ? total : null;

    // The ETA is rounded up to the second shown: "52/60 done ..., ETA 0:00" with a second left read as done (review 72).
    private static (double Rate, TimeSpan? Eta) RateAndEta(Counts c)
    {
        var elapsed = DateTimeOffset.UtcNow - c.Started;
        var doneNow = c.Delivered - c.ResumedFrom;
        var rate = elapsed.TotalSeconds > 0 ? doneNow / elapsed.TotalSeconds : 0;
        TimeSpan? eta = KnownTotal(c) is { } n && rate > 0 ? TimeSpan.FromSeconds(Math.Ceiling(Math.Max(0, (n - c.Delivered) / rate))) : null;
        return (rate, eta);
    }

    // One reading of the counters for one line: delivered first, then running (see RunCounters.Running).
    private readonly record struct Counts(long Delivered, long Failed, long Running, long? Total, long ResumedFrom, DateTimeOffset Started)
    {
        public static Counts Of(RunCounters c)
        {
            var delivered = c.Delivered;
            var failed = c.Failed;
            var running = c.Running;
            return new Counts(delivered, failed, running, c.Total, c.ResumedFrom, c.Started);
        }
    }

    private static string Clock(TimeSpan t) => t.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}")
        : string.Create(CultureInfo.InvariantCulture, $"{t.Minutes}:{t.Seconds:00}");

    private static (int Width, int Height) TerminalSize()
    {
        try
        {
            if (Console.WindowWidth > 0 && Console.WindowHeight > 0)
            {
                return (Console.WindowWidth, Console.WindowHeight);
            }
        }
        catch (Exception e) when (e is IOException or PlatformNotSupportedException or InvalidOperationException)
        {
            // No terminal size to be had (stdout redirected on some platforms): the environment's, else 80×24.
        }

        static int Env(string name, int fallback) =>
            int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : fallback;
        return (Env("COLUMNS", 80), Env("LINES", 24));
    }

    private static async Task PlainAsync(TextWriter stderr, RunCounters counters, CancellationToken token)
    {
        using var timer = new PeriodicTimer(PlainInterval);
        using var stop = StopsOnCancel(timer, token);
        while (await timer.WaitForNextTickAsync(CancellationToken.None).ConfigureAwait(false))
        {
            await stderr.WriteLineAsync($"brigade run: {Describe(counters)}").ConfigureAwait(false);
        }
    }

    // The end of a run disposes the timer, so its wait returns false: a wait cancelled through its token throws, and
    // the cancellation's stack trace is captured with file and line numbers, which loads the PDB readers (three
    // assemblies and the symbol files: 13–24 ms at the end of every run that showed progress, a tenth of a one-line run).
    private static CancellationTokenRegistration StopsOnCancel(PeriodicTimer timer, CancellationToken token) =>
        token.UnsafeRegister(static t => ((PeriodicTimer)t!).Dispose(), timer);

    /// <summary>The pinned status row: sets the scroll region, redraws the row, and puts the terminal back at the end.</summary>
    private sealed class StatusLine(Func<(int Width, int Height)> size)
    {
        private const string Esc = "\u001b";

        // The region's layout is changed by the loop and by a result's writer (FollowResize), one at a time.
        private readonly Lock _layout = new();
        private Stream? _raw;
        private int _height;

        /// <summary>Moves the status row to a resized terminal's last row before a result is written (see BeforeOutput).</summary>
        /// <remarks>Never waits for the loop: while the loop holds the layout it is looking at the size itself, and its
        /// write may be stuck on a terminal stopped with Ctrl+S, which must not hold results going to a file.</remarks>
        public void FollowResize()
        {
            if (!_layout.TryEnter())
            {
                return;
            }

            try
            {
                if (_raw is not null && Rows(size().Height) is var rows && rows != _height && rows >= 3)
                {
                    Relayout(_raw, rows);
                    _height = rows;
                }
            }
            finally
            {
                _layout.Exit();
            }
        }

        // The rows now, from the terminal itself (stderr, where the status line is): the loop and FollowResize must agree,
        // and Console's size may be a cached one the runtime has not yet invalidated after SIGWINCH.
        private static int Rows(int fallback) => NativeMethods.TerminalRows(2) ?? fallback;

        public async Task RunAsync(TextWriter stderr, RunCounters counters, CancellationToken token)
        {
            var (width, sizedHeight) = size();
            var height = Rows(sizedHeight);
            if (height < 3)
            {
                await PlainAsync(stderr, counters, token).ConfigureAwait(false);
                return;
            }

            await stderr.FlushAsync(token).ConfigureAwait(false);
            var raw = Console.OpenStandardError();
            await using var closeRaw = raw.ConfigureAwait(false);

            // A new line first, so the cursor is not on the row the status takes; then rows 1..N-1 scroll, and the
            // cursor goes back where it was (setting a region moves it home) and up to the line it was on.
            lock (_layout)
            {
                Write(raw, $"\n{Esc}7{Esc}[1;{height - 1}r{Esc}8{Esc}[1A");
                _raw = raw;
                _height = height;
            }

            TerminationSignal.BeforeForcedExit = () => Write(raw, Restore(Volatile.Read(ref _height)));
            try
            {
                using var timer = new PeriodicTimer(LiveInterval);
                using var stop = StopsOnCancel(timer, token);
                do
                {
                    lock (_layout)
                    {
                        var (w, sized) = size();
                        var h = Rows(sized);
                        if (h != _height && h >= 3)
                        {
                            // Resized (review 45). Made as at the start: the whole screen scrolls, what is below the cursor
                            // (the old status line, blank rows) is cleared, a new line, the region, back up. A terminal that
                            // shrinks keeps the cursor on its last row, the new status row, below the new region, where a new
                            // line does not scroll: every later result was written over the one before on that row (tmux from
                            // 8 to 5 rows showed results 1-16 of 40). Results are always above the cursor, never below it (a
                            // resize moves the text and the cursor together): clearing the old status row by its number
                            // erased a result after tmux grew, pulling lines back from the scrollback. Until this poll sees
                            // the resize (at most LiveInterval), the terminal's own reset region lets a result be written on
                            // the old status row, over its text: brigade's own results and failure lines look first
                            // (FollowResize, review 57).
                            Relayout(raw, h);
                            _height = h;
                        }

                        width = w;
                        Draw(raw, counters, width, _height);
                    }
                }
                while (await timer.WaitForNextTickAsync(CancellationToken.None).ConfigureAwait(false));
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                // Put back first, then forget: a second signal between the two still finds something to restore.
                lock (_layout)
                {
                    Write(raw, Restore(_height));
                    _raw = null;
                }

                TerminationSignal.BeforeForcedExit = null;
            }
        }

        // Made as at the start: the whole screen scrolls, what is below the cursor is cleared, a new line, the region for
        // a terminal of `rows` rows, back up.
        private static void Relayout(Stream raw, int rows) =>
            Write(raw, $"{Esc}7{Esc}[r{Esc}8{Esc}[J\n{Esc}7{Esc}[1;{rows - 1}r{Esc}8{Esc}[1A");

        // The whole screen scrolls again; the status row is cleared and the cursor is where the output left it.
        private static string Restore(int height) => $"{Esc}7{Esc}[r{Esc}8{Esc}7{Esc}[{height};1H{Esc}[2K{Esc}8";

        private static void Draw(Stream raw, RunCounters counters, int width, int height) =>
            Write(raw, $"{Esc}7{Esc}[{height};1H{Esc}[2K{StatusText(counters, width - 1)}{Esc}8");

        // One write per update, straight to the file descriptor (a TextWriter may split a long string into several):
        // a terminal applies each write whole, between the results' own writes.
        private static void Write(Stream raw, string sequence)
        {
            raw.Write(Encoding.UTF8.GetBytes(sequence));
            raw.Flush();
        }
    }
}
