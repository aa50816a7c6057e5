#if !BRIGADE_NATIVE_FRONT
using Brigade.Orleans;
using Brigade.Processes;
#endif

namespace Brigade.Cli.Run;

/// <summary>Engines <c>brigade run</c> creates for one run (worker processes, a cluster connection), released when it ends.</summary>
internal sealed class EngineResources : IAsyncDisposable
{
    /// <summary>Commands per core at most: waiting commands (network, sleeps) widen auto mode up to this.</summary>
    public const int CommandsPerCore = 32;

    private readonly List<IAsyncDisposable> _owned = [];

    /// <summary>
    /// How many commands auto mode may run at once on this machine: <see cref="CommandsPerCore"/> per core, and no more
    /// than the open-file limit leaves room for (each running command holds pipes for its stdin, stdout and stderr) nor
    /// the process limit. Auto mode's own measurement (Little's law over the commands' CPU and wait) decides below it.
    /// </summary>
    public static int CommandLimit()
    {
        var limit = Environment.ProcessorCount * CommandsPerCore;
        if (OperatingSystem.IsLinux() && ReadLimits() is var (openFiles, processes))
        {
            if (openFiles is { } files)
            {
                var open = CountOpenFiles();
                limit = (int)Math.Min(limit, Math.Max(1, (files - open - 64) / 4));
            }

            if (processes is { } procs)
            {
                limit = (int)Math.Min(limit, Math.Max(1, procs / 2));
            }
        }

        return Math.Max(Math.Min(Environment.ProcessorCount, limit), Math.Max(1, limit));
    }

    /// <summary>
    /// How many commands can run at once before the open-file or process limit makes their starts fail (null when
    /// unknown): an explicit <c>--jobs</c> above it is lowered to it, as GNU parallel does, rather than failing every
    /// command past it with "Too many open files".
    /// </summary>
    public static int? SystemCommandLimit()
    {
        if (!OperatingSystem.IsLinux() || ReadLimits() is not var (openFiles, processes))
        {
            return null;
        }

        long? limit = null;
        if (openFiles is { } files)
        {
            limit = Math.Max(1, (files - CountOpenFiles() - 64) / 4);
        }

        if (processes is { } procs)
        {
            limit = Math.Min(limit ?? long.MaxValue, Math.Max(1, procs / 2));
        }

        return limit is { } l ? (int)Math.Min(l, int.MaxValue) : null;
    }

    private static (long? OpenFiles, long? Processes)? ReadLimits()
    {
        try
        {
            long? openFiles = null, processes = null;
            foreach (var line in File.ReadLines("/proc/self/limits"))
            {
                // "Max open files            20000                20000                files"
                var soft = line.Length > 26 ? line[26..].Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() : null;
                var value = long.TryParse(soft, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : (long?)null;
                if (line.StartsWith("Max open files", StringComparison.Ordinal))
                {
                    openFiles = value;
                }
                else if (line.StartsWith("Max processes", StringComparison.Ordinal))
                {
                    processes = value;
                }
            }

            return (openFiles, processes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static int CountOpenFiles()
    {
        try
        {
            return Directory.GetFileSystemEntries("/proc/self/fd").Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 64;
        }
    }

#if BRIGADE_NATIVE_FRONT
    // The native front runs --exec commands, which no remote engine takes (EngineEntry.Check): never called there.
    public Engine Processes(int? workers, TimeSpan? itemTimeout) => throw new NotSupportedException("The native front has no process engine.");
#else
    public ProcessEngine Processes(int? workers, TimeSpan? itemTimeout)
    {
        var options = new ProcessEngineOptions { ForwardWorkerOutput = false, ItemTimeout = itemTimeout };
        if (workers is { } n)
        {
            options.MaxWorkers = n;
        }

        var engine = new ProcessEngine(options);
        _owned.Add(engine);
        return engine;
    }

    public async Task<ClusterEngine> ClusterAsync(ClusterConnectionOptions options, ClusterEngineOptions engineOptions, CancellationToken cancellationToken)
    {
        ClusterConnection connection;
        try
        {
            connection = await ClusterConnection.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch (ClusterUnavailableException e)
        {
            var hint = options.Membership is null ? "start silos with 'brigade silo', or give --gateway PORT or --membership URI" : "are silos started with the same --membership and --cluster-id?";
            throw new CliUsageException($"--engine cluster: {e.Message} ({hint})");
        }

        _owned.Add(connection);
        return await ClusterEngine.ConnectAsync(connection.Client, engineOptions, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
#endif

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync().ConfigureAwait(false);
        }
    }
}
