using System.Globalization;
using Brigade.Orleans.Protocol;

namespace Brigade.Orleans.Dispatch;

/// <summary>Asks every active silo, through its first worker slot, who it is and whether it can run a work type.</summary>
internal static class SiloProbe
{
    /// <summary>A silo's answer, or why it gave none; with membership's entry for it.</summary>
    public sealed record Result(SiloAddress Address, string Name, PrepareResponse? Response, string? Error, MembershipEntry? Membership);

    public static async Task<List<Result>> ProbeAsync(ClusterEngine engine, PrepareRequest request, Guid runId, CancellationToken cancellationToken)
    {
        MembershipEntry[] hosts;
        try
        {
            // The detailed list: a silo that does not answer is shown with what membership knows of it (review 48).
            hosts = await engine.GrainFactory.GetGrain<IManagementGrain>(0)
                .GetDetailedHosts(onlyActive: true, cancellationToken)
                .WaitAsync(engine.Options.PrepareTimeout, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new ClusterUnavailableException($"The cluster's membership could not be read: {ErrorText.Gist(e)}", e);
        }

        if (hosts.Length == 0)
        {
            throw new ClusterUnavailableException("The cluster has no active silo.");
        }

        var asked = DateTimeOffset.UtcNow;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        List<Result> results;

        // Once one silo has answered, the others get AnsweredGrace more, not the whole PrepareTimeout (a silo that missed
        // the previous probe, KnownSilentGrace). Review 59: one frozen silo (SIGSTOP) of three held every `brigade run` 77 s
        // before its first item: the engine's discovery and then the run's own probe each waited out 30 s for it.
        var graces = hosts.Select(_ => CancellationTokenSource.CreateLinkedTokenSource(cancellationToken)).ToList();
        try
        {
            var probes = hosts.Select((entry, i) => (Task: ProbeOneAsync(engine, entry, runId, request, clock, graces[i].Token, cancellationToken), Grace: graces[i], Name: entry.SiloAddress.Endpoint.ToString())).ToList();
            var pending = probes.Select(p => p.Task).ToList();
            while (pending.Count > 0)
            {
                var done = await Task.WhenAny(pending).ConfigureAwait(false);
                pending.Remove(done);
                if (done.IsCompletedSuccessfully && done.Result.Error is null)
                {
                    foreach (var (_, grace, name) in probes.Where(p => pending.Contains(p.Task)))
                    {
                        grace.CancelAfter(engine.NotAnsweringSince(name) is not null ? KnownSilentGrace : AnsweredGrace);
                    }

                    break;
                }
            }

            results = (await Task.WhenAll(probes.Select(p => p.Task)).ConfigureAwait(false)).ToList();
        }
        finally
        {
            graces.ForEach(g => g.Dispose());
        }

        foreach (var r in results)
        {
            engine.Answered(r.Name, r.Error is null, asked);
        }

        foreach (var r in results.Where(r => r.Error is not null))
        {
            ClusterLog.SiloSkipped(engine.Logger, runId, r.Name, Describe(engine, r));
        }

        return results;
    }

    /// <summary>
    /// A silo that gave no answer, as status and a run's plan show it: <c>not answering (no answer within 30 s, since
    /// 16:05:02 UTC); membership: active since 15:50:00 UTC, last I-am-alive 16:01:00 UTC, suspected by 1 silo</c>.
    /// </summary>
    public static string Describe(ClusterEngine engine, Result result) =>
        $"not answering ({result.Error}{(engine.NotAnsweringSince(result.Name) is { } since ? $", since {Time(since)}" : "")}); membership: {Membership(result.Membership)}";

    /// <summary>Membership's view of a silo: its status, when it started, its last I-am-alive record and who suspects it.</summary>
    public static string Membership(MembershipEntry? entry)
    {
        if (entry is null)
        {
            return "no entry";
        }

        var view = $"{entry.Status.ToString().ToLowerInvariant()} since {Time(entry.StartTime)}";
        if (entry.IAmAliveTime > DateTime.MinValue)
        {
            view += $", last I-am-alive {Time(entry.IAmAliveTime)}";
        }

        if (entry.SuspectTimes is { Count: > 0 } suspicions)
        {
            var suspecting = suspicions.Select(s => s.Item1).Distinct().Count();
            view += $", suspected by {suspecting} silo{(suspecting == 1 ? "" : "s")} (first {Time(suspicions.Min(s => s.Item2))})";
        }

        return view;
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Time(DateTime time) => Time(new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)));

    /// <summary>How long a question goes unanswered before it is asked again through a grain of a new generation.</summary>
    internal static readonly TimeSpan AskAgainAfter = TimeSpan.FromSeconds(3);

    private const int MaxAsks = 4;

    // The first answer (or failure) of the questions sent: a new one through a grain of a new generation every AskAgainAfter,
    // up to MaxAsks. The client sends every call to one grain through the same gateway, and the gateway of a frozen silo
    // (SIGSTOP) holds what is routed through it without a word: review 59, one frozen silo of three failed a run with "No
    // silo can take the run", every silo "not answering", when the run's questions went through its gateway. A new grain id
    // is routed afresh, as a stuck batch's is (ClusterSlot).
    private static async Task<PrepareResponse> AskAsync(ClusterEngine engine, SiloAddress silo, Guid runId, PrepareRequest request, CancellationToken cancellationToken)
    {
        var asks = new List<Task<PrepareResponse>>();
        while (true)
        {
            if (asks.Count < MaxAsks)
            {
                asks.Add(engine.Slot(silo, runId, 0, asks.Count).PrepareAsync(request));
            }

            var again = Task.Delay(AskAgainAfter, cancellationToken);
            var first = await Task.WhenAny([.. asks, again]).ConfigureAwait(false);
            if (first != again)
            {
                return await ((Task<PrepareResponse>)first).ConfigureAwait(false);
            }

            await again.ConfigureAwait(false);
        }
    }

    /// <summary>How long the other silos may take to answer once one has.</summary>
    internal static readonly TimeSpan AnsweredGrace = TimeSpan.FromSeconds(10);

    /// <summary>How long, once one silo has answered, a silo that missed this engine's previous probe may take.</summary>
    internal static readonly TimeSpan KnownSilentGrace = TimeSpan.FromSeconds(2);

    private static async Task<Result> ProbeOneAsync(
        ClusterEngine engine, MembershipEntry entry, Guid runId, PrepareRequest request, System.Diagnostics.Stopwatch clock, CancellationToken rest, CancellationToken cancellationToken)
    {
        var silo = entry.SiloAddress;
        var name = silo.Endpoint.ToString();
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(rest);
        bounded.CancelAfter(engine.Options.PrepareTimeout);
        try
        {
            var response = await AskAsync(engine, silo, runId, request, bounded.Token).ConfigureAwait(false);
            if (response.SiloAddress != silo.ToParsableString())
            {
                // The silo was leaving: its slot was placed elsewhere. It is not part of this run.
                return new Result(silo, name, null, $"the silo is leaving the cluster (its worker was placed on {response.Silo})", entry);
            }

            return new Result(silo, name, response, null, entry);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException) when (rest.IsCancellationRequested)
        {
            return new Result(silo, name, null, $"no answer within {clock.Elapsed.TotalSeconds:0.#} s, while the other silos answered", entry);
        }
        catch (OperationCanceledException) when (bounded.IsCancellationRequested)
        {
            return new Result(silo, name, null, $"no answer within {engine.Options.PrepareTimeout.TotalSeconds:0.#} s", entry);
        }
        catch (TimeoutException)
        {
            return new Result(silo, name, null, $"no answer within {engine.Options.PrepareTimeout.TotalSeconds:0.#} s", entry);
        }
        catch (Exception e)
        {
            return new Result(silo, name, null, ErrorText.Gist(e), entry);
        }
    }
}
