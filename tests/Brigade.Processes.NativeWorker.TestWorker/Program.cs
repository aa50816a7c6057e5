using Brigade.Processes;
using Brigade.Processes.NativeWorker.Tests;

// Every work type of the tests but NotInCatalog.
var catalog = new WorkerCatalog()
    .Add<Square, int, long>()
    .Add<Shout, string, string>()
    .Add<Describe, Shape, Label>(ShapeJson.Default.Shape, ShapeJson.Default.Label)
    .Add<ThrowOnSevens, int, int>()
    .Add<CrashOn13, int, int>()
    .Add<WhichExecutable, int, string>()
    .AddAsyncWork<WaitForCancel, int, int>()
    .AddAsyncWork<HalveLater, int, double>();
return NativeWorkerHost.Run(args, catalog);
