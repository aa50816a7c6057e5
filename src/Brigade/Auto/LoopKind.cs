namespace Brigade.Auto;

/// <summary>Where auto mode runs a plan's workers.</summary>
internal enum LoopKind
{
    /// <summary>Async loops on the thread pool: the sequential, thread-pool and async plans.</summary>
    Task,

    /// <summary>Dedicated background threads: blocking and mixed plans.</summary>
    Thread,

    /// <summary>Handed to <see cref="AutoEngineOptions.IsolatedEngine"/>.</summary>
    Isolated,
}
