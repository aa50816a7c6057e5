namespace Brigade.Analyzers;

/// <summary>What runs a lambda or method group given as an argument, as far as concurrency goes.</summary>
internal enum BodyKind
{
    /// <summary>Not one of the recognised APIs: the delegate runs when and where its receiver decides.</summary>
    None,

    /// <summary><c>Parallel.For</c>, <c>ForEach</c>, <c>ForAsync</c>, <c>ForEachAsync</c>: many pool threads run it at once.</summary>
    ParallelLoop,

    /// <summary><c>Parallel.Invoke</c>: each action once, all at once.</summary>
    ParallelInvoke,

    /// <summary>A PLINQ operator (<c>ForAll</c>, <c>Select</c>... on a <c>ParallelQuery</c>).</summary>
    Plinq,

    /// <summary><c>Task.Run</c>, <c>Task.Factory.StartNew</c>, <c>ThreadPool.QueueUserWorkItem</c>: one pool thread.</summary>
    PoolTask,

    /// <summary><c>new Thread(...)</c>, <c>StartNew</c> with <c>LongRunning</c>: a dedicated thread.</summary>
    DedicatedThread,

    /// <summary>A <c>Brigade.Runner</c> run's work, map or combine function.</summary>
    Runner,

    /// <summary><c>RaceDetector.Run</c>: a logical flow of the race detector.</summary>
    RaceDetectorRun,

    /// <summary>A body given to Brigade.Testing (systematic exploration runs it as a flow).</summary>
    BrigadeTesting,

    /// <summary>
    /// A <c>System.Threading.Timer</c>'s callback or a <c>System.Timers.Timer</c>'s <c>Elapsed</c> handler: a pool thread
    /// at each tick, two ticks at once when one outlasts the period (see <see cref="Timers"/>).
    /// </summary>
    Timer,

    /// <summary>
    /// An ASP.NET Core minimal-API handler (<c>app.MapGet("/", () =&gt; ...)</c>): run once per request, requests at once on
    /// the thread pool (review 64).
    /// </summary>
    RequestHandler,
}
