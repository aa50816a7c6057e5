// Brigade in five minutes: dotnet run --project samples/Brigade.Samples.QuickStart -c Release [-- --out DIR]
// The timelines go to DIR (default: a new folder under the system's temp directory), never into the working directory.
using Brigade;
using Brigade.Processes;
using Brigade.Reporting;
using Brigade.Samples.WorkTypes;

var outDir = args is ["--out", var dir] ? Path.GetFullPath(dir) : Path.Combine(Path.GetTempPath(), $"brigade-quickstart-{Environment.ProcessId}");
if (args.Length > 0 && args is not ["--out", _])
{
    Console.Error.WriteLine("usage: Brigade.Samples.QuickStart [--out DIR]");
    return 2;
}

Directory.CreateDirectory(outDir);
var reports = new List<RunReport>();

// 1. CPU-bound work: the thread pool uses every core (.NET has no GIL).
var numbers = Enumerable.Range(1, 2_000).Select(i => (long)i * 7919).ToArray();
var digits = await Runner.MapAsync(numbers, n => SumOfDigitsOfPower(n), new RunOptions { Engine = Engine.ThreadPool, Label = "digit sums" });
Console.WriteLine(digits.Report);
reports.Add(digits.Report);

// 2. Blocking calls: dedicated threads, so 32 one-second waits take about a second.
var waits = await Runner.ForEachAsync(Enumerable.Range(0, 32), _ => Thread.Sleep(1000), new RunOptions { Engine = Engine.Threads, Label = "blocking waits" });
Console.WriteLine(waits);
reports.Add(waits);

// 3. Async I/O with results as they finish; a failing item is reported with its index, the others complete.
await foreach (var r in Runner.StreamAsync(Enumerable.Range(0, 8), async (i, ct) =>
{
    await Task.Delay(50 * (8 - i), ct);
    return i == 5 ? throw new InvalidOperationException("item five is unhappy") : i * i;
}, new RunOptions { Engine = Engine.Async }))
{
    Console.WriteLine(r.IsSuccess ? $"  item {r.Index} -> {r.Value}" : $"  item {r.Index} failed: {r.Exception.Message}");
}

// 4. Map-reduce: pieces in parallel, partial results combined in input order.
var words = await Runner.MapReduceAsync(["the quick brown fox", "jumps over", "the lazy dog"], new WordCountWork(), (a, b) => a + b);
Console.WriteLine($"words: {words.Value}");

// 5. Isolation: a work type in worker processes (crashes are contained; the state of the instance does not travel).
await using (var processes = new ProcessEngine())
{
    var squares = await Runner.MapAsync(Enumerable.Range(1, 10_000).Select(i => (long)i), new SquareWork(), new RunOptions { Engine = processes, Label = "squares in worker processes" });
    Console.WriteLine($"{squares.Report} — sum {squares.Values.Sum():N0}");
    reports.Add(squares.Report);
}

var trace = Path.Combine(outDir, "quickstart.trace.json");
var html = Path.Combine(outDir, "quickstart.html");
ChromeTrace.WriteFile(trace, reports);
HtmlReport.WriteFile(html, reports, "Brigade quick start");
Console.WriteLine($"Timelines: {trace} (Perfetto) and {html}");
return 0;

static int SumOfDigitsOfPower(long n)
{
    var value = System.Numerics.BigInteger.Pow(n, 200);
    return value.ToString().Sum(c => c - '0');
}
