using Brigade;
using Brigade.Processes;
using Brigade.Processes.TestHost;

if (args is ["culture", var workerInvariant])
{
    return await CultureScene.RunAsync(workerInvariant == "1");
}

// Usage: Brigade.Processes.TestHost WORKERS
// Starts a run of WORKERS items that never finish, prints "workers PID PID ..." once every worker runs an item,
// then waits forever: the test kills this process and checks that the workers go with it.
var workers = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 2;
var engine = new ProcessEngine(new ProcessEngineOptions { MaxWorkers = workers, ForwardWorkerOutput = false });
var run = Runner.MapAsync(Enumerable.Range(0, workers).ToArray(), new SleepForever(), new RunOptions { Engine = engine, BatchSize = 1 });
var deadline = DateTime.UtcNow.AddSeconds(60);
while (engine.GetStatistics().LiveWorkers < workers && DateTime.UtcNow < deadline && !run.IsCompleted)
{
    await Task.Delay(10);
}

await Task.Delay(200);
Console.WriteLine("workers " + string.Join(' ', engine.GetWorkerProcessIds()));
Console.Out.Flush();
await run;
return 0;
