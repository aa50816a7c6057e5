using Brigade.Processes.Worker;

return WorkerHost.Run(args, static (assemblies, workHint) => new AssemblyWorkResolver(assemblies, workHint));
