using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Brigade.Processes.Internal;

namespace Brigade.Processes.Tests;

/// <summary>
/// Forwarded worker output (review 19): a standard error nobody reads must not stall whoever posts a worker's lines
/// (the thread reading the worker's pipe, hence the worker), and lines that cannot wait are counted, not lost silently.
/// </summary>
[Collection(ProcessWide.Name)]
public sealed class StderrForwarderTests
{
    [Fact(Timeout = 30_000)]
    public async Task BlockedTarget_PostingNeverWaits_LinesBeyondTheBoundAreCountedInOrder()
    {
        var target = new GatedWriter();
        var forwarder = new StderrForwarder(() => target, capacity: 1_000);

        // 200 lines of about 50 characters, ten times the bound, while the target blocks on its first line.
        var posting = Task.Run(() =>
        {
            for (var i = 0; i < 200; i++)
            {
                forwarder.Post(42, $"line {i:D3}".PadRight(30, '.'));
            }
        });
        await posting.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(forwarder.Flush(TimeSpan.FromMilliseconds(50)));

        target.Release();
        Assert.True(forwarder.Flush(TimeSpan.FromSeconds(30)));

        // Every line is either written or counted, in order: a count stands for the lines right after those before it.
        var next = 0;
        var dropped = 0;
        foreach (var line in target.Lines)
        {
            if (Regex.Match(line, @"^\[brigade worker 42\] (\d+) lines? of standard error dropped") is { Success: true } marker)
            {
                var count = int.Parse(marker.Groups[1].Value, CultureInfo.InvariantCulture);
                next += count;
                dropped += count;
            }
            else
            {
                Assert.Equal("[brigade worker 42] " + $"line {next:D3}".PadRight(30, '.'), line);
                next++;
            }
        }

        Assert.Equal(200, next);
        Assert.True(dropped > 0, "Nothing was dropped: the bound did not apply.");
    }

    // Review 21 P2: a line that fits after one of its worker was dropped was written before the notice, so the notice
    // stood in the wrong place. Deterministic: the thread is blocked on its first line, so the queue is what was posted.
    [Fact]
    public void AfterADrop_ALaterShorterLineOfThatWorkerDoesNotOvertakeTheNotice()
    {
        using var target = new GatedWriter();
        var forwarder = new StderrForwarder(() => target, capacity: 1_000);
        forwarder.Post(1, "first");
        Assert.True(target.WaitEntered(TimeSpan.FromSeconds(10)), "The forwarder's thread did not start writing.");

        var filler = new string('x', 600);
        forwarder.Post(42, "kept " + filler);    // fits: the queue was empty
        forwarder.Post(42, "dropped " + filler); // does not fit
        forwarder.Post(7, "other worker");       // fits, and comes after the drop
        forwarder.Post(42, "short");             // would fit, but its worker's previous line was dropped
        target.Release();
        Assert.True(forwarder.Flush(TimeSpan.FromSeconds(30)));

        // Once the notice is written, that worker's lines flow again.
        forwarder.Post(42, "again");
        Assert.True(forwarder.Flush(TimeSpan.FromSeconds(30)));

        Assert.Equal(
            [
                "[brigade worker 1] first",
                "[brigade worker 42] kept " + filler,
                "[brigade worker 42] 2 lines of standard error dropped here: this process's standard error was not being read fast enough.",
                "[brigade worker 7] other worker",
                "[brigade worker 42] again",
            ],
            target.Lines);
    }

    [Fact]
    public void ReadTarget_GetsEveryLineInOrder()
    {
        var target = new GatedWriter();
        target.Release();
        var forwarder = new StderrForwarder(() => target, capacity: 1_000);
        for (var i = 0; i < 1_000; i++)
        {
            forwarder.Post(i % 3, i.ToString(CultureInfo.InvariantCulture));
            if (i % 10 == 0)
            {
                Assert.True(forwarder.Flush(TimeSpan.FromSeconds(30)));
            }
        }

        Assert.True(forwarder.Flush(TimeSpan.FromSeconds(30)));
        Assert.Equal(Enumerable.Range(0, 1_000).Select(i => $"[brigade worker {i % 3}] {i}"), target.Lines);
    }

    [Fact(Timeout = 120_000)]
    public async Task WorkerWritingEightPipesOfOutput_WhileStandardErrorIsNotRead_FinishesItsItem_AndEveryLineArrives()
    {
        // Its collection (ProcessWide) runs alone, so this process's standard error is the test's to replace.
        using var target = new GatedWriter();
        var original = Console.Error;
        Console.SetError(target);
        try
        {
            await using var engine = TestEngines.Create(o =>
            {
                o.MaxWorkers = 1;
                o.ForwardWorkerOutput = true;
            });

            // 512 lines of 1 KiB: eight times a pipe. Before, the worker stalled once its pipe was full.
            var run = Runner.MapAsync(new[] { 512 }, new WritesToStderr(), new RunOptions { Engine = engine, MaxDegreeOfParallelism = 1 });
            var result = await run.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal([512], result.Values);

            target.Release();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            List<string> lines;
            while ((lines = [.. target.Lines.Where(l => l.Contains(" xxx", StringComparison.Ordinal))]).Count < 512 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            Assert.Equal(512, lines.Count);
            for (var i = 0; i < lines.Count; i++)
            {
                Assert.Matches(@"^\[brigade worker \d+\] " + i.ToString("D4", CultureInfo.InvariantCulture) + " x{1018}$", lines[i]);
            }
        }
        finally
        {
            target.Release();
            Console.SetError(original);
        }
    }

    // A standard error that blocks until released (a full pipe nobody reads).
    private sealed class GatedWriter : TextWriter
    {
        private readonly ManualResetEventSlim _open = new();
        private readonly ManualResetEventSlim _entered = new();
        private readonly List<string> _lines = [];

        public override Encoding Encoding => Encoding.UTF8;

        public List<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public void Release() => _open.Set();

        // Whether a line has been written or is blocked being written.
        public bool WaitEntered(TimeSpan timeout) => _entered.Wait(timeout);

        public override void WriteLine(string? value)
        {
            _entered.Set();
            _open.Wait();
            lock (_lines)
            {
                _lines.Add(value ?? "");
            }
        }

        protected override void Dispose(bool disposing)
        {
            _open.Dispose();
            _entered.Dispose();
            base.Dispose(disposing);
        }
    }
}
