using System.Diagnostics;
using System.Globalization;
using Brigade;
using Brigade.Processes;
using Brigade.Samples.NativeAotApp;
using Brigade.Samples.WorkTypes;

// The work types this application runs in worker processes, registered by type: no reflection, so that the whole
// application can be compiled ahead of time. SquareWork's numbers travel as raw bytes; PriceWork's orders and quotes as
// JSON, through the source-generated AppJson its [WorkSerializer] names.
var catalog = new WorkerCatalog()
    .Add<SquareWork, long, long>()
    .Add<PriceWork, Order, Quote>(AppJson.Default.Order, AppJson.Default.Quote);

// Started by the engine below as one of its workers: serve it, and nothing else.
if (NativeWorkerHost.IsWorker(args))
{
    return NativeWorkerHost.Run(args, catalog);
}

if (args is not ([] or ["--json"]))
{
    Console.Error.WriteLine("usage: Brigade.Samples.NativeAotApp [--json]   (--json: time to the first result of cold pools, as JSON)");
    return 2;
}

// The application is its own worker executable: no dotnet, no separate worker project.
var options = new ProcessEngineOptions { WorkerPath = Environment.ProcessPath, MaxWorkers = 2 };
if (args is ["--json"])
{
    // The first pool of this process, then three more cold pools (each a new engine, so new workers).
    var first = await FirstResultAsync(options);
    var later = new List<double>();
    for (var i = 0; i < 3; i++)
    {
        later.Add(await FirstResultAsync(options));
    }

    later.Sort();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{{\"firstRunMs\": {first:0.###}, \"laterPoolMs\": {later[1]:0.###}}}"));
    return 0;
}

var watch = Stopwatch.StartNew();
await using var engine = new ProcessEngine(options);
var orders = Enumerable.Range(1, 1_000).Select(i => new Order($"SKU-{i % 37:000}", i % 150, 0.25m * (i % 40 + 1))).ToArray();
var quotes = await Runner.MapAsync(orders, new PriceWork(), new RunOptions { Engine = engine, Label = "quotes in worker processes" });
Console.WriteLine(quotes.Report);
foreach (var failure in quotes.Report.Failures)
{
    Console.WriteLine($"  {failure}");
}

Console.WriteLine($"{quotes.Values.Count:N0} quotes, {quotes.Values.Sum(q => q.Total):N2} in all, from worker processes {string.Join(", ", quotes.Values.Select(q => q.WorkerProcessId).Distinct().Order())} (this process is {Environment.ProcessId})");
var squares = await Runner.MapAsync(Enumerable.Range(1, 10_000).Select(i => (long)i).ToArray(), new SquareWork(), new RunOptions { Engine = engine, Label = "squares" });
Console.WriteLine($"{squares.Report} — sum {squares.Values.Sum():N0}");
Console.WriteLine($"{watch.Elapsed.TotalMilliseconds:0} ms in all, the workers' start-up included");
return quotes.Report.Failures.Count == 0 && squares.Report.Failures.Count == 0 ? 0 : 1;

// A new engine's first result, for one item: what a program that starts a pool for a first task waits for.
static async Task<double> FirstResultAsync(ProcessEngineOptions options)
{
    await using var engine = new ProcessEngine(options);
    var watch = Stopwatch.StartNew();
    await foreach (var result in Runner.StreamAsync([7L], new SquareWork(), new RunOptions { Engine = engine }))
    {
        if (!result.IsSuccess || result.Value != 49)
        {
            throw new InvalidOperationException($"unexpected result: {result}");
        }

        return watch.Elapsed.TotalMilliseconds;
    }

    throw new InvalidOperationException("no result");
}
