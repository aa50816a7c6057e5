using Brigade.Engines.Remote;
using Brigade.Orleans.Protocol;
using Microsoft.Extensions.Logging;

// Grain code awaits on the activation's scheduler on purpose: ConfigureAwait(false) would resume outside the
// activation and break Orleans' single-threaded guarantee for the grain's fields (Orleans' own guidance). The work
// itself runs on the .NET thread pool (Task.Run), outside the activation, so a CPU-bound batch never blocks the
// grain's scheduler and an interleaved StopAsync can reach it.
#pragma warning disable CA2007

namespace Brigade.Orleans.Grains;

/// <summary>
/// A worker slot on one silo: it runs one batch at a time with its own instance of the work type, and only work types
/// from the silo's work assemblies.
/// </summary>
/// <remarks>
/// Not a [StatelessWorker]: a stateless worker activates on whichever silo receives the call, which the engine cannot
/// choose. This grain is placed by <see cref="SlotPlacement"/> on the silo its key names, holds no state worth keeping
/// (a lost activation loses nothing but a cached work instance), and is collected when idle like any grain.
/// </remarks>
[SlotPlacement]
internal sealed partial class WorkerGrain(WorkerRegistry registry, ILocalSiloDetails silo, ILogger<WorkerGrain> logger) : Grain, IWorkerGrain
{
    private const int RememberedStops = 16;

    private readonly string _silo = silo.SiloAddress.Endpoint.ToString();
    private readonly Dictionary<string, RemoteItemExecutor> _executors = new(StringComparer.Ordinal);
    private readonly Queue<Guid> _stoppedRuns = new();
    private CancellationTokenSource? _running;
    private Guid _runningRun;
    private long _runningStart = -1;
    private long _finishedAt;
    private string? _run;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Key: {silo}/{run}/{slot}; discovery probes ("probe") are not runs.
        var parts = this.GetPrimaryKeyString().Split('/');
        if (parts.Length == 3 && parts[1] != "probe")
        {
            _run = parts[1];
            registry.Activated(_run);
        }

        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_run is not null)
        {
            registry.Deactivated(_run);
        }

        foreach (var executor in _executors.Values)
        {
            executor.Dispose();
        }

        _executors.Clear();
        return Task.CompletedTask;
    }

    public Task<PrepareResponse> PrepareAsync(PrepareRequest request)
    {
        string? rejected = null;
        string? build = null;
        if (request.WorkType is { } name)
        {
            var (descriptor, error) = registry.Resolve(name);
            rejected = ClusterProtocol.Mismatch(request.ProtocolVersion, "engine") ?? error;
            if (rejected is null && descriptor is not null)
            {
                rejected = CheckTypes(descriptor, request);
            }

            if (rejected is not null)
            {
                LogRejected(logger, name, rejected);
            }
            else if (descriptor is not null)
            {
                // The caller decides what another build means for its run (review 59); the silo's log says it too.
                build = WorkBuild.Of(descriptor.Type);
                if (WorkBuild.Differ(build, request.WorkBuild))
                {
                    LogOtherBuild(logger, name, WorkBuild.Describe(name, build!, request.WorkBuild!));
                }
            }
        }

        return Task.FromResult(new PrepareResponse
        {
            Silo = _silo,
            SiloAddress = silo.SiloAddress.ToParsableString(),
            ProcessorCount = Environment.ProcessorCount,
            Rejected = rejected,
            ActiveRuns = registry.ActiveRuns,
            ItemsRunning = registry.ItemsRunning,
            ItemsCompleted = registry.ItemsCompleted,
            ProtocolVersion = ClusterProtocol.Version,
            WorkBuild = build,
        });
    }

    public async Task<BatchResponse> RunAsync(BatchRequest request, CancellationToken cancellationToken)
    {
        if (!_executors.TryGetValue(request.WorkType, out var executor))
        {
            var (descriptor, error) = registry.Resolve(request.WorkType);
            if (descriptor is null)
            {
                LogRejected(logger, request.WorkType, error!);
                return new BatchResponse { Silo = _silo, Rejected = error };
            }

            // Values never travel raw: the engine may run on another machine. The grain belongs to one run, so the
            // first batch's policy is the run's.
            executor = RemoteItemExecutor.Create(descriptor, request.Policy?.ToSpec(), allowRaw: false);
            _executors[request.WorkType] = executor;
        }

        if (_stoppedRuns.Contains(request.RunId))
        {
            // The stop overtook the batch: nothing of it starts.
            return new BatchResponse { Silo = _silo };
        }

        using var running = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _running = running;
        _runningRun = request.RunId;
        _runningStart = request.StartIndex;
        var run = _run;
        registry.BatchStarted(run, request.Count);
        var ran = 0;
        long runQueue = -1;
        try
        {
            var writer = new BatchResponseWriter(_silo);
            var control = new RemoteBatchControl(long.MaxValue, FlushEachItem: false, RemoteCpuClock.Thread, running.Token);
            if (executor.IsAsync)
            {
                await Task.Run(
                    () =>
                    {
                        ReadInputs(executor, request);
                        return executor.RunAsync(writer, control);
                    },
                    CancellationToken.None);
            }
            else
            {
                // Synchronous work runs on this one thread: its wait for a core meanwhile (Linux' schedstat, two reads of a
                // few µs) is part of the batch's own wall, the machine's, not the items' (as a worker process measures it).
                runQueue = await Task.Run(
                    () =>
                    {
                        ReadInputs(executor, request);
                        var before = Brigade.Diagnostics.RunQueueClock.ReadCallingThread();
                        executor.Run(writer, control);
                        var after = before >= 0 ? Brigade.Diagnostics.RunQueueClock.ReadCallingThread() : -1;
                        return after >= before && before >= 0 ? after - before : -1;
                    },
                    CancellationToken.None);
            }

            var response = writer.WithRunQueue(runQueue);
            ran = response.Ran;
            return response;
        }
        finally
        {
            registry.BatchFinished(run, request.Count, ran);
            _running = null;
            _finishedAt = TimeProvider.System.GetTimestamp();
        }
    }

    public Task<BatchProgress> ProgressAsync(Guid runId, long startIndex)
    {
        if (_runningRun != runId || _runningStart != startIndex)
        {
            return Task.FromResult(new BatchProgress());
        }

        return Task.FromResult(_running is not null
            ? new BatchProgress { Seen = true, Running = true }
            : new BatchProgress { Seen = true, SinceFinished = TimeProvider.System.GetElapsedTime(_finishedAt) });
    }

    public Task ReleaseAsync()
    {
        // The run is over on this slot now, not when Orleans gets round to the deactivation: `cluster status` counts it no more.
        if (_run is not null)
        {
            registry.Deactivated(_run);
            _run = null;
        }

        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public Task StopAsync(Guid runId)
    {
        if (!_stoppedRuns.Contains(runId))
        {
            if (_stoppedRuns.Count == RememberedStops)
            {
                _stoppedRuns.Dequeue();
            }

            _stoppedRuns.Enqueue(runId);
        }

        if (_runningRun == runId)
        {
            _running?.Cancel();
        }

        return Task.CompletedTask;
    }

    private static void ReadInputs(RemoteItemExecutor executor, BatchRequest request)
    {
        try
        {
            executor.ReadInputs(request.Items, request.Count);
        }
        catch (RemoteFormatException e)
        {
            throw new InvalidOperationException($"A batch's items are malformed: {e.Message}", e);
        }
    }

    private static string? CheckTypes(WorkDescriptor descriptor, PrepareRequest request)
    {
        if (request.InputType is { } input && !WorkShape.SameTypeName(descriptor.InputType.FullName!, input))
        {
            return $"work type {descriptor.Name} takes {descriptor.InputType.FullName} on the silo but {input} on the caller: the silo runs a different build of it";
        }

        if (request.OutputType is { } output && !WorkShape.SameTypeName(descriptor.OutputType.FullName!, output))
        {
            return $"work type {descriptor.Name} returns {descriptor.OutputType.FullName} on the silo but {output} on the caller: the silo runs a different build of it";
        }

        // Same names, other members: JSON would cross without an error and arrive with members at their defaults.
        if (request.InputShape is { } inputShape && WorkShape.Difference(WorkShape.Of(descriptor.InputTypeInfo), inputShape) is { } inputDifference)
        {
            return $"work type {descriptor.Name}'s input {WorkShape.Name(descriptor.InputType)} differs between the silo and the caller ({inputDifference}): the silo runs a different build of it";
        }

        if (request.OutputShape is { } outputShape && WorkShape.Difference(WorkShape.Of(descriptor.OutputTypeInfo), outputShape) is { } outputDifference)
        {
            return $"work type {descriptor.Name}'s result {WorkShape.Name(descriptor.OutputType)} differs between the silo and the caller ({outputDifference}): the silo runs a different build of it";
        }

        return null;
    }

    [LoggerMessage(EventId = 7101, Level = LogLevel.Warning, Message = "Brigade: rejected work type {WorkType}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string workType, string reason);

    [LoggerMessage(EventId = 7104, Level = LogLevel.Warning, Message = "Brigade: a caller of work type {WorkType} runs another build: {Reason}")]
    private static partial void LogOtherBuild(ILogger logger, string workType, string reason);
}
