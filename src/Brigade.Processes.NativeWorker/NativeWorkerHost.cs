using Brigade.Processes.Worker;

namespace Brigade.Processes;

/// <summary>
/// The entry point of a worker executable of your own: the work types are compiled in (a <see cref="WorkerCatalog"/>),
/// so the executable can be published NativeAOT and a cold pool's first result takes milliseconds instead of a .NET
/// runtime's start-up. The application points <c>ProcessEngineOptions.WorkerPath</c> (Brigade.Processes) at the executable.
/// </summary>
/// <example>
/// <code>
/// // The worker project: an Exe with &lt;PublishAot&gt;true&lt;/PublishAot&gt; that references Brigade.Processes.NativeWorker.
/// var catalog = new WorkerCatalog()
///     .Add&lt;SquareWork, long, long&gt;()
///     .Add&lt;ResizeWork, Image, Thumbnail&gt;(MyJson.Default.Image, MyJson.Default.Thumbnail);
/// return NativeWorkerHost.Run(args, catalog);
/// </code>
/// </example>
public static class NativeWorkerHost
{
    /// <summary>
    /// Gets whether this process was started by a <c>ProcessEngine</c> as its worker: for an application that is its own
    /// worker executable (<c>ProcessEngineOptions.WorkerPath = Environment.ProcessPath</c>), which then calls
    /// <see cref="Run"/> first thing in <c>Main</c> instead of doing its own work.
    /// </summary>
    /// <param name="args">The command line, as passed to <c>Main</c>.</param>
    /// <returns><see langword="true"/> when the command line is the one an engine starts its workers with.</returns>
    public static bool IsWorker(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return args.Length >= 2 && args[0] == "--parent" && int.TryParse(args[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _);
    }

    /// <summary>Serves the engine that started this process, until it closes the channel (the process then exits).</summary>
    /// <param name="args">The command line, as the engine passed it to <c>Main</c>.</param>
    /// <param name="catalog">The work types this worker runs.</param>
    /// <returns>The exit code: 2 when the process was not started by an engine (the command line is not one).</returns>
    public static int Run(string[] args, WorkerCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(catalog);
        if (Array.IndexOf(args, "--parent") < 0)
        {
            Console.Error.WriteLine(
                $"This is a Brigade worker host for {string.Join(", ", catalog.Names.Order(StringComparer.Ordinal))}. A ProcessEngine starts it: " +
                "set ProcessEngineOptions.WorkerPath to this executable's path.");
            return 2;
        }

        return WorkerHost.Run(args, (_, _) => new CatalogWorkResolver(catalog));
    }
}
