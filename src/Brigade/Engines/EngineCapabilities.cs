namespace Brigade;

/// <summary>What an engine can do and how it runs items: what a run may ask of it, and what the conformance suite checks.</summary>
[Flags]
public enum EngineCapabilities
{
    /// <summary>None of the capabilities below.</summary>
    None = 0,

    /// <summary>Runs work given as delegates (lambdas, methods); an engine without it needs work given as a type
    /// (<see cref="IWork{TIn, TOut}"/>, <see cref="IAsyncWork{TIn, TOut}"/>) that it recreates elsewhere.</summary>
    RunsDelegates = 1,

    /// <summary>Runs items in this process, where the run's detectors (race detector, progress watchdog) see them.</summary>
    InProcess = 2,

    /// <summary>Always runs one worker, whatever width is asked for.</summary>
    SingleWorker = 4,

    /// <summary>Stops an item that outlives its item timeout even when it ignores its token (for example by
    /// killing the process that runs it); other engines abandon it and discard its late result.</summary>
    HardItemTimeout = 8,

    /// <summary>Survives the crash of the code running an item (a process exit, a machine leaving): the item is retried or
    /// reported failed, and the run goes on.</summary>
    CrashContainment = 16,

    /// <summary>Chooses its own width while it runs (auto mode): <see cref="RunReport.DegreeOfParallelism"/> is its choice,
    /// at most the width asked for.</summary>
    AdaptsWidth = 32,

    /// <summary>Applies <see cref="RunOptions.ItemTimeout"/> and <see cref="RunOptions.ItemRetry"/> where it runs items
    /// (the worker processes and cluster engines run them remotely with the same policy). Engines that run items in this
    /// process (<see cref="InProcess"/>) always do; any other engine rejects those options.</summary>
    ItemTimeoutAndRetry = 64,
}
