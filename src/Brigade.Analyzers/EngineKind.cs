namespace Brigade.Analyzers;

/// <summary>The engine of a Brigade run, as far as the code shows it.</summary>
internal enum EngineKind
{
    /// <summary>No options, or options the analyzer cannot read: Brigade's default, auto mode, which measures the work.</summary>
    Auto,

    /// <summary><c>Engine.Sequential</c>: one item at a time.</summary>
    Sequential,

    /// <summary><c>Engine.ThreadPool</c>.</summary>
    ThreadPool,

    /// <summary><c>Engine.Async</c>: asynchronous work on the thread pool.</summary>
    Async,

    /// <summary><c>Engine.Threads</c>: dedicated threads for blocking work.</summary>
    Threads,

    /// <summary>Another engine (worker processes, a cluster, a custom one).</summary>
    Other,
}
