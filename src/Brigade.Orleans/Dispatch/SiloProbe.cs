using System.Globalization;
using Brigade.Orleans.Protocol;

namespace Brigade.Orleans.Dispatch;

/// <summary>Asks every active silo, through its first worker slot, who it is and whether it can run a work type.</summary>
internal static class SiloProbe
{
    /// <summary>A silo's answer, or why it gave none; with membership's entry for it.</summary>
    public sealed record Result(SiloAddress Address, string Name, PrepareResponse? Response, string? Error, MembershipEntry? Membership)
    {
        /// <summary>The question of a silo cut by the grace, still asked (see <see cref="HearLateAsync"/>); null otherwise.</summary>
        internal Question? Late { get; init; }
    }

    /// <summary>A silo's question: the first answer of its asks, or its failure; cancelled at PrepareTimeout (or when the
    /// probe is abandoned), not at the grace. <paramref name="Number"/> is the probe's (<see cref="ClusterEngine.NextQuestion"/>);
    /// <paramref name="First"/> is the generation of its first ask's grain (the next asks' are the next generations).</summary>
    internal sealed record Question(Task<PrepareResponse> Answer, List<Task<PrepareResponse>> Asks, long Number, int First = 0);

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
        var number = engine.NextQuestion();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        List<Result> results;

        // Once one silo has answered, the others get AnsweredGrace more, not the whole PrepareTimeout (a silo that missed
        // the previous probe, KnownSilentGrace). Review 59: one frozen silo (SIGSTOP) of three held every `brigade run` 77 s
        // before its first item: the engine's discovery and then the run's own probe each waited out 30 s for it.
        // A silo cut by its grace is still asked, in the background, up to PrepareTimeout: its late answer clears its "not
        // answering" mark (review 67: a silo that once missed a probe got 2 s at every probe after, and its question was
        // cancelled at those 2 s, so a silo 2-10 s slow, still starting at load, never came back into this engine's runs).
        // The questions are abandoned only when the probe itself is (its caller cancelled it); there is nothing else to
        // tie them to (the engine is not disposable).
        // A silo given the short grace that answers an earlier question meanwhile (a late answer) gets the normal grace
        // after all: it is slow, not frozen (review 68: an engine starting a run every 100 ms asked again before a silo
        // answering in 3 s had answered the last question, so every question got 2 s and the silo stayed out of every run).
        // A frozen silo answers nothing, so it keeps the short grace, its earlier question pending or not. (Membership's
        // I-am-alive cannot tell the two: a silo writes it every 30 s by default, so a frozen one looks alive that long.)
        var graces = hosts.Select(_ => CancellationTokenSource.CreateLinkedTokenSource(cancellationToken)).ToList();
        var extensions = new List<CancellationTokenRegistration>();
        var abandon = new CancellationTokenSource();
        try
        {
            var probes = hosts.Select((entry, i) =>
            {
                var name = entry.SiloAddress.Endpoint.ToString();
                var heard = engine.NotAnsweringSince(name) is not null ? engine.AnswerHeard(name) : CancellationToken.None;
                return (Task: ProbeOneAsync(engine, entry, runId, request, number, clock, graces[i].Token, abandon.Token, cancellationToken), Grace: graces[i], Name: name, Heard: heard);
            }).ToList();
            var pending = probes.Select(p => p.Task).ToList();
            while (pending.Count > 0)
            {
                var done = await Task.WhenAny(pending).ConfigureAwait(false);
                pending.Remove(done);
                if (done.IsCompletedSuccessfully && done.Result.Error is null)
                {
                    var deadline = clock.Elapsed + AnsweredGrace;
                    foreach (var (_, grace, name, heard) in probes.Where(p => pending.Contains(p.Task)))
                    {
                        if (engine.NotAnsweringSince(name) is null || heard.IsCancellationRequested)
                        {
                            grace.CancelAfter(AnsweredGrace);
                            continue;
                        }

                        grace.CancelAfter(KnownSilentGrace);
                        extensions.Add(heard.Register(() => Extend(grace, deadline - clock.Elapsed)));
                    }

                    break;
                }
            }

            results = (await Task.WhenAll(probes.Select(p => p.Task)).ConfigureAwait(false)).ToList();
        }
        catch
        {
            abandon.Cancel();
            throw;
        }
        finally
        {
            // First the extensions (a running one is waited for), then the graces they extend.
            extensions.ForEach(e => e.Dispose());
            graces.ForEach(g => g.Dispose());
        }

        foreach (var r in results)
        {
            if (r.Error is null)
            {
                engine.Answered(r.Name, number);
            }
            else
            {
                engine.Missed(r.Name, number, asked);
            }
        }

        // After the marks: a late answer clears the one just set (not one set by a later question).
        foreach (var r in results.Where(r => r.Late is not null))
        {
            _ = HearLateAsync(engine, runId, r, r.Late!);
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

    // A short grace not yet over becomes the normal one (its end counted from the same first answer).
    private static void Extend(CancellationTokenSource grace, TimeSpan rest)
    {
        try
        {
            grace.CancelAfter(rest > TimeSpan.Zero ? rest : TimeSpan.Zero);
        }
        catch (ObjectDisposedException)
        {
            // The probe is over.
        }
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
    private static async Task<PrepareResponse> AskAsync(ClusterEngine engine, SiloAddress silo, Guid runId, PrepareRequest request, int firstGeneration, List<Task<PrepareResponse>> asks, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (asks.Count < MaxAsks)
            {
                var ask = engine.Slot(silo, runId, 0, firstGeneration + asks.Count).PrepareAsync(request);
                Observe(ask);
                asks.Add(ask);
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
        ClusterEngine engine, MembershipEntry entry, Guid runId, PrepareRequest request, long number, System.Diagnostics.Stopwatch clock, CancellationToken rest, CancellationToken abandon, CancellationToken cancellationToken)
    {
        var silo = entry.SiloAddress;
        var name = silo.Endpoint.ToString();
        var asks = new List<Task<PrepareResponse>>();
        // A run's grains are its own; discovery asks through the same grains every time, past those that answered from
        // another silo (ReleaseMisplaced).
        var first = runId == Guid.Empty ? engine.ProbeGeneration(silo) : 0;
        var question = QuestionAsync(engine, silo, runId, request, first, asks, abandon);
        Observe(question);
        try
        {
            await question.WaitAsync(rest).ConfigureAwait(false);
        }
        // A question that ended as the grace did (an answer, or its own failure such as an unavailable silo) is told as it
        // ended, below, not as "no answer" (the review of orleans67).
        catch (OperationCanceledException) when (rest.IsCancellationRequested && !question.IsCompleted)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // The grace ended: the run goes on without the silo, and the question stays asked (HearLateAsync).
            return new Result(silo, name, null, $"no answer within {clock.Elapsed.TotalSeconds:0.#} s, while the other silos answered", entry)
            {
                Late = new Question(question, asks, number, first),
            };
        }
        catch (Exception) when (question.IsCompleted)
        {
            // Its own failure, told below.
        }

        try
        {
            var response = await question.ConfigureAwait(false);
            if (response.SiloAddress != silo.ToParsableString())
            {
                // The silo was leaving: its slot was placed elsewhere. It is not part of this run.
                ReleaseMisplaced(engine, silo, runId, first, asks);
                return new Result(silo, name, null, $"the silo is leaving the cluster (its worker was placed on {response.Silo})", entry);
            }

            return new Result(silo, name, response, null, entry);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            return new Result(silo, name, null, $"no answer within {engine.Options.PrepareTimeout.TotalSeconds:0.#} s", entry);
        }
        catch (Exception e)
        {
            return new Result(silo, name, null, ErrorText.Gist(e), entry);
        }
    }

    // Asked until answered, PrepareTimeout, or the probe is abandoned; not cut by the grace.
    private static async Task<PrepareResponse> QuestionAsync(
        ClusterEngine engine, SiloAddress silo, Guid runId, PrepareRequest request, int first, List<Task<PrepareResponse>> asks, CancellationToken abandon)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(abandon);
        bounded.CancelAfter(engine.Options.PrepareTimeout);
        return await AskAsync(engine, silo, runId, request, first, asks, bounded.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits for the answer of a silo the run went on without: an answer, however late, clears the silo's "not answering"
    /// mark (unless a later question of the engine went unanswered since), so that the engine's next probe gives it
    /// <see cref="AnsweredGrace"/>, not <see cref="KnownSilentGrace"/>; a probe under way gives it that grace too.
    /// Bounded by the question's PrepareTimeout; never throws. The run's slot grains it prepared on that silo (one per
    /// ask answered) are told to go: the run sends them nothing, and the silo would count the run as held meanwhile.
    /// </summary>
    internal static async Task HearLateAsync(ClusterEngine engine, Guid runId, Result result, Question question)
    {
        try
        {
            var response = await question.Answer.ConfigureAwait(false);
            if (response.SiloAddress == result.Address.ToParsableString())
            {
                engine.Answered(result.Name, question.Number);
            }
            else if (runId == Guid.Empty)
            {
                // A run's grains are all let go below.
                ReleaseMisplaced(engine, result.Address, runId, question.First, question.Asks);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // No answer within PrepareTimeout, or a failure: the mark stays.
        }

        if (runId == Guid.Empty)
        {
            return;
        }

        // The question is over: no ask is added any more. An ask still in flight is released once it is answered. Inside a
        // try as the rest: a client disposed meanwhile throws from the grain factory, and this task is nobody's to observe.
        try
        {
            for (var generation = 0; generation < question.Asks.Count; generation++)
            {
                var grain = engine.Slot(result.Address, runId, 0, question.First + generation);
                Observe(question.Asks[generation].ContinueWith(
                    ask => ask.IsCompletedSuccessfully ? grain.ReleaseAsync() : Task.CompletedTask,
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default).Unwrap());
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Left to Orleans' collection of idle grains.
        }
    }

    // The grains of a question that answered from another silo than the one their key names are told to go, and the silo's
    // next discovery questions go to grains of new ids. Placed while the silo was not yet (or no more) among those that could
    // take them, they were "leaving the cluster" at every question after (review 68: SiloLossTests' extra silo, polled every
    // 100 ms, for 60 s). Letting the grain go was not enough (review 69): the silo that placed it (the client's gateway for
    // that grain) keeps the placement in its cache of grain locations, so the next question of the same key went to the
    // same silo, which activated the grain there again (a silo activates any grain a message reaches it for); the
    // placement director is never asked again. A grain of a new id is in no cache: it is placed afresh, on the silo its
    // key names once that silo can take it. Runs need nothing of the kind: each has grains of its own.
    private static void ReleaseMisplaced(ClusterEngine engine, SiloAddress silo, Guid runId, int first, List<Task<PrepareResponse>> asks)
    {
        try
        {
            var address = silo.ToParsableString();
            for (var generation = 0; generation < asks.Count; generation++)
            {
                if (asks[generation].IsCompletedSuccessfully && asks[generation].Result.SiloAddress != address)
                {
                    if (runId == Guid.Empty)
                    {
                        engine.SkipProbeGenerations(silo, first + MaxAsks);
                    }

                    Observe(engine.Slot(silo, runId, 0, first + generation).ReleaseAsync());
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Left to Orleans' collection of idle grains.
        }
    }

    // A task nobody awaits: its failure is read, so that it is not reported as unobserved.
    private static void Observe(Task task) =>
        task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
