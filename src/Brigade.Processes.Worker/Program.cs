using Brigade.Processes.Worker;

return WorkerHost.Run(args);
