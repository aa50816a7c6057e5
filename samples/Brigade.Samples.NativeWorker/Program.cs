using Brigade.Processes;
using Brigade.Samples.NativeWorker;
using Brigade.Samples.WorkTypes;

// The work types this worker runs, registered by type: no reflection, so the executable can be compiled ahead of time.
// Primitive numbers and strings need no metadata; Person comes from the source-generated SampleJson.
var catalog = new WorkerCatalog()
    .Add<SquareWork, long, long>()
    .Add<WordCountWork, string, int>()
    .Add<GreetWork, Person, string>(SampleJson.Default.Person, SampleJson.Default.String);

// Serves the ProcessEngine that started this process (ProcessEngineOptions.WorkerPath) until it lets go.
return NativeWorkerHost.Run(args, catalog);
