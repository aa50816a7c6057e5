using Brigade.Engines.Remote;
using Brigade.Orleans.Protocol;

namespace Brigade.Orleans.Dispatch;

/// <summary>
/// Whether a cluster run may start, and where: the work type is checked on the caller's side (given as a type, able to
/// cross, fitting the run by <see cref="WorkTypeCheck"/>), then every active silo is asked whether it runs it; silos that
/// refuse are left out and named in the run's plan with their reasons, and a run no silo accepts fails before any item is read.
/// </summary>
internal static class ClusterAdmission
{
    /// <summary>Describes the job's work type for the cluster, or fails the job (a delegate; a type that cannot cross or does not fit the run) and returns null.</summary>
    public static WorkDescriptor? Describe<TIn, TOut>(EngineJob<TIn, TOut> job)
    {
        if (job.WorkType is not { } type)
        {
            job.Fail(new ClusterWorkRejectedException(
                $"The cluster engine runs work given as a type: the work '{job.WorkName}' is a delegate, which cannot cross to another machine. " +
                "Implement IWork<TIn, TOut> or IAsyncWork<TIn, TOut> in a class with a parameterless constructor, start the silos with its assembly, and pass an instance."));
            return null;
        }

        try
        {
            var descriptor = WorkDescriptor.For(type);
            WorkTypeCheck.Ensure<TIn, TOut>(descriptor);

            // Each silo creates its own instance: one the caller configured (new Scale { Factor = 3 }) would run with the
            // defaults and report success, as it did on worker processes until lib58.
            WorkInstanceCheck.Ensure(job.WorkInstance);
            return descriptor;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            job.Fail(new ClusterWorkRejectedException($"Work type {type.FullName} cannot run on the cluster: {e.Message}", e));
            return null;
        }
    }

    /// <summary>
    /// The run's <see cref="RunOptions.ItemTimeout"/> and <see cref="RunOptions.ItemRetry"/> as the silos apply them to
    /// each item (cooperative timeouts); null when unset. Fails the job and returns false when they cannot cross.
    /// </summary>
    public static bool TryPolicy<TIn, TOut>(ClusterEngine engine, EngineJob<TIn, TOut> job, out ItemPolicyData? policy)
    {
        try
        {
            policy = ItemPolicyData.From(ItemPolicySpec.From(job.Options, engine.Name));
            return true;
        }
        catch (NotSupportedException e)
        {
            job.Fail(e);
            policy = null;
            return false;
        }
    }

    /// <summary>Asks every silo whether it runs the work type (and speaks this protocol version); returns those that do, with their slots.</summary>
    /// <exception cref="ClusterWorkRejectedException">No silo accepts the work type.</exception>
    /// <exception cref="ClusterUnavailableException">No silo answered.</exception>
    public static async Task<List<SiloState>> PrepareAsync<TIn, TOut>(ClusterEngine engine, EngineJob<TIn, TOut> job, Guid runId, WorkDescriptor descriptor)
    {
        var request = new PrepareRequest
        {
            WorkType = descriptor.Name,
            InputType = descriptor.InputType.FullName,
            OutputType = descriptor.OutputType.FullName,
            ProtocolVersion = ClusterProtocol.Version,
            InputShape = WorkShape.Of(descriptor.InputTypeInfo),
            OutputShape = WorkShape.Of(descriptor.OutputTypeInfo),
            WorkBuild = WorkBuild.Of(descriptor.Type),
        };
        var probes = await SiloProbe.ProbeAsync(engine, request, runId, job.CancellationToken).ConfigureAwait(false);
        var rejected = new Dictionary<string, string>(StringComparer.Ordinal);
        var otherBuilds = new Dictionary<string, string>(StringComparer.Ordinal);
        var refusals = 0;
        var accepted = new List<SiloState>();
        foreach (var probe in probes.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            var refused = probe.Response is { } answer ? answer.Rejected ?? ClusterProtocol.Mismatch(answer.ProtocolVersion, "silo") : null;

            // Same names and members, other code (review 59: such a silo ran its share of the items with its own code, and
            // nothing said so). Said in the plan and the log; left out only when the caller asks for its own build.
            var otherBuild = refused is null && probe.Response is { } built && WorkBuild.Differ(built.WorkBuild, request.WorkBuild)
                ? WorkBuild.Describe(descriptor.Name, built.WorkBuild!, request.WorkBuild!)
                : null;
            if (otherBuild is not null && engine.Options.SameBuildOnly)
            {
                refused = $"{otherBuild} (ClusterEngineOptions.SameBuildOnly)";
            }

            if (probe.Response is { } response && refused is null)
            {
                accepted.Add(new SiloState(probe.Address, response.Silo, engine.WorkersFor(response)));
                if (otherBuild is not null)
                {
                    otherBuilds[probe.Name] = otherBuild;
                    ClusterLog.OtherBuild(engine.Logger, runId, probe.Name, otherBuild);
                }
            }
            else
            {
                // A silo that did not answer is named with why and membership's view of it (review 48: "no answer within 30 s" alone).
                var reason = refused ?? (probe.Error is not null ? SiloProbe.Describe(engine, probe) : "no answer");
                rejected[probe.Name] = reason;
                if (refused is not null)
                {
                    refusals++;
                    ClusterLog.SiloSkipped(engine.Logger, runId, probe.Name, reason);
                }
            }
        }

        if (accepted.Count == 0)
        {
            var reasons = string.Join("; ", rejected.Select(r => $"silo {r.Key}: {r.Value}"));
            if (refusals > 0)
            {
                throw new ClusterWorkRejectedException($"No silo accepts work type {descriptor.Name}: {reasons}.", descriptor.Name, rejected);
            }

            throw new ClusterUnavailableException($"No silo can take the run: {reasons}.");
        }

        // Each with why: the silo's own log was the only place that said it (review 47), not the run's caller.
        var skipped = rejected.Count == 0 ? "" : $"; left out: {string.Join("; ", rejected.Select(r => $"{r.Key} ({r.Value})"))}";
        var other = otherBuilds.Count == 0 ? "" : $"; another build: {string.Join("; ", otherBuilds.Select(r => $"{r.Key} ({r.Value})"))}";
        job.Plan = $"{accepted.Count} silo{(accepted.Count == 1 ? "" : "s")} ({string.Join(", ", accepted.Select(s => $"{s.Name} ×{s.Workers}"))}){skipped}{other}";
        engine.RememberWidth(accepted.Sum(s => s.Workers));
        return accepted;
    }
}
