using Brigade.Orleans.Dispatch;
using Brigade.Orleans.Grains;
using Brigade.Orleans.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Brigade.Orleans;

/// <summary>
/// Runs a run's items on the silos of a Microsoft Orleans cluster: the same batching, ordering, failure accounting,
/// cancellation and report as the local engines, with a silo's unfinished batches retried on the others when it leaves.
/// </summary>
/// <remarks>
/// <para>Work must be given as a type (<see cref="IWork{TIn, TOut}"/> or <see cref="IAsyncWork{TIn, TOut}"/>) that
/// the silos were started with (see <see cref="BrigadeSiloBuilderExtensions.AddBrigadeWorkers(ISiloBuilder, Action{BrigadeWorkerOptions})"/>);
/// inputs and results cross as JSON through <see cref="WorkDescriptor"/>, as with worker processes.</para>
/// <para>Each run asks the cluster for its active silos, checks that every silo can run the work type, and gives each
/// silo <see cref="ClusterEngineOptions.WorkersPerSilo"/> worker slots (by default its processor count). A slot is a
/// grain of the run placed on its silo by the silo's address in the grain key, so batches spread over silos by
/// construction; each slot runs one batch at a time.
/// Report workers carry the silo address in <see cref="Reporting.WorkerReport.Location"/>.</para>
/// <para>Until the engine has seen the cluster (<see cref="ConnectAsync"/>, <see cref="DiscoverAsync"/> or a first run),
/// its default width is 64; afterwards it is the number of slots it found.</para>
/// </remarks>
/// <example>
/// <code>
/// var engine = await ClusterEngine.ConnectAsync(clusterClient);
/// var result = await Runner.MapAsync(slices, new CountPrimes(), new RunOptions { Engine = engine });
/// foreach (var w in result.Report.Workers) Console.WriteLine($"{w.Location}: {w.Items} items");
/// </code>
/// </example>
public sealed class ClusterEngine : Engine
{
    private const int UndiscoveredWidth = 64;
    // What this engine knows of each silo's answers, by question (SiloProbe numbers them in the order they are asked).
    private readonly Dictionary<string, Answers> _answers = new(StringComparer.Ordinal);
    private readonly Lock _answersGate = new();
    private long _questions;
    private int _knownWidth;

    // The first generation of each silo's discovery grains (by the silo's parsable address), past those that answered from
    // another silo (SiloProbe): absent until one did, so a silo's questions go to the same grains as long as they can.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _probeGenerations = new(StringComparer.Ordinal);

    /// <summary>Initializes an engine that runs work on the cluster reached through <paramref name="grainFactory"/>.</summary>
    /// <param name="grainFactory">A connected <see cref="IClusterClient"/>, or a silo's <see cref="IGrainFactory"/>.</param>
    /// <param name="options">How to spread and retry work; <see langword="null"/> for the defaults. Copied.</param>
    /// <param name="logger">Where the engine logs silo losses and retries; <see langword="null"/> for none.</param>
    public ClusterEngine(IGrainFactory grainFactory, ClusterEngineOptions? options = null, ILogger<ClusterEngine>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(grainFactory);
        GrainFactory = grainFactory;
        Options = options?.Clone() ?? new ClusterEngineOptions();
        Logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Gets the engine's name: <c>cluster</c>.</summary>
    public override string Name => "cluster";

    /// <summary>Gets the engine's options (a copy of those it was created with).</summary>
    public ClusterEngineOptions Options { get; }

    /// <inheritdoc/>
    /// <remarks>Work types only (no delegates), on other machines; a silo that leaves loses nothing.</remarks>
    public override EngineCapabilities Capabilities => EngineCapabilities.CrashContainment | EngineCapabilities.ItemTimeoutAndRetry;

    internal IGrainFactory GrainFactory { get; }

    internal ILogger Logger { get; }

    /// <summary>Creates an engine and discovers the cluster's silos, so that its default width is known before the first run.</summary>
    /// <param name="grainFactory">A connected <see cref="IClusterClient"/>, or a silo's <see cref="IGrainFactory"/>.</param>
    /// <param name="options">How to spread and retry work; <see langword="null"/> for the defaults.</param>
    /// <param name="logger">Where the engine logs; <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Cancels the discovery.</param>
    /// <returns>The engine.</returns>
    /// <exception cref="ClusterUnavailableException">No silo answered.</exception>
    public static async Task<ClusterEngine> ConnectAsync(IGrainFactory grainFactory, ClusterEngineOptions? options = null, ILogger<ClusterEngine>? logger = null, CancellationToken cancellationToken = default)
    {
        var engine = new ClusterEngine(grainFactory, options, logger);
        await engine.DiscoverAsync(cancellationToken).ConfigureAwait(false);
        return engine;
    }

    /// <summary>Lists the cluster's active silos that run Brigade workers and answered (with their cores, and the runs and
    /// items they hold now), and updates the engine's default width. A silo of another protocol version is listed with its
    /// <see cref="ClusterSilo.Refusal"/> and left out of the width. Silos that did not answer are not listed: see
    /// <see cref="DiscoverAllAsync"/>.</summary>
    /// <param name="cancellationToken">Cancels the discovery.</param>
    /// <returns>The silos that answered, by address.</returns>
    /// <exception cref="ClusterUnavailableException">No silo answered.</exception>
    public async Task<IReadOnlyList<ClusterSilo>> DiscoverAsync(CancellationToken cancellationToken = default) =>
        [.. (await DiscoverAllAsync(cancellationToken).ConfigureAwait(false)).Where(s => s.NotAnswering is null)];

    /// <summary>Lists every silo the cluster's membership holds active, as <see cref="DiscoverAsync"/> does, and also those
    /// that did not answer within <see cref="ClusterEngineOptions.PrepareTimeout"/>: each with <see cref="ClusterSilo.NotAnswering"/>
    /// (why, since when) and <see cref="ClusterSilo.Membership"/> (what membership says of it), no cores and no workers. What
    /// <c>brigade cluster status</c> shows; runs leave such silos out and say so in their plan.</summary>
    /// <param name="cancellationToken">Cancels the discovery.</param>
    /// <returns>The silos, by address.</returns>
    /// <exception cref="ClusterUnavailableException">No silo answered (the message names each and why).</exception>
    public async Task<IReadOnlyList<ClusterSilo>> DiscoverAllAsync(CancellationToken cancellationToken = default)
    {
        var probes = await SiloProbe.ProbeAsync(this, new PrepareRequest(), Guid.Empty, cancellationToken).ConfigureAwait(false);
        var silos = probes
            .Select(p => p.Response is { } response
                ? new ClusterSilo(response.Silo, response.ProcessorCount, WorkersFor(response))
                {
                    ActiveRuns = response.ActiveRuns,
                    ItemsRunning = response.ItemsRunning,
                    ItemsCompleted = response.ItemsCompleted,
                    Refusal = ClusterProtocol.Mismatch(response.ProtocolVersion, "silo"),
                }
                : new ClusterSilo(p.Name, 0, 0)
                {
                    NotAnswering = p.Error ?? "no answer",
                    NotAnsweringSince = NotAnsweringSince(p.Name),
                    Membership = SiloProbe.Membership(p.Membership),
                })
            .OrderBy(s => s.Address, StringComparer.Ordinal)
            .ToList();
        if (silos.All(s => s.NotAnswering is not null))
        {
            throw new ClusterUnavailableException(
                $"No silo answered: {string.Join("; ", probes.Select(p => $"{p.Name}: {SiloProbe.Describe(this, p)}"))}. Are the silos started with AddBrigadeWorkers?");
        }

        // A silo of another protocol version is left out of every run: its slots would make the default width one no run has.
        RememberWidth(silos.Where(s => s.Refusal is null && s.NotAnswering is null).Sum(s => s.Workers));
        return silos;
    }

    /// <summary>Gets the number of worker slots found by the last discovery or run, or 64 before the engine has seen the cluster.</summary>
    /// <returns>The default degree of parallelism.</returns>
    public override int GetDefaultDegreeOfParallelism() => Volatile.Read(ref _knownWidth) is > 0 and var width ? width : UndiscoveredWidth;

    /// <inheritdoc/>
    protected internal override Task ExecuteAsync<TIn, TOut>(EngineJob<TIn, TOut> job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new ClusterRun<TIn, TOut>(this, job).RunAsync();
    }

    /// <summary>Numbers a probe's questions: later questions have greater numbers.</summary>
    internal long NextQuestion() => Interlocked.Increment(ref _questions);

    /// <summary>Records that a silo answered question <paramref name="question"/>, in time or late. It clears the silo's
    /// "not answering" mark only if no later question went unanswered: the answer of a question says nothing of one asked
    /// after it (review 68: a late answer to question N cleared the mark of N+1, which the silo had missed since). Ends the
    /// silo's current <see cref="AnswerHeard"/> token.</summary>
    internal void Answered(string silo, long question)
    {
        CancellationTokenSource? heard;
        lock (_answersGate)
        {
            var answers = _answers.TryGetValue(silo, out var known) ? known : new Answers();
            answers = answers with { LastAnswered = Math.Max(answers.LastAnswered, question) };
            if (answers.Since is not null && answers.LastMissed <= question)
            {
                answers = answers with { Since = null };
            }

            heard = answers.Heard;
            _answers[silo] = answers with { Heard = null };
        }

        heard?.Cancel();
    }

    /// <summary>Records that a silo did not answer question <paramref name="question"/>, asked at <paramref name="asked"/>:
    /// the first of a row of questions it missed is when it stopped answering, as far as this engine knows. A miss older
    /// than an answer already heard marks nothing.</summary>
    internal void Missed(string silo, long question, DateTimeOffset asked)
    {
        lock (_answersGate)
        {
            var answers = _answers.TryGetValue(silo, out var known) ? known : new Answers();
            if (answers.LastAnswered > question)
            {
                return;
            }

            _answers[silo] = answers with { Since = answers.Since ?? asked, LastMissed = Math.Max(answers.LastMissed, question) };
        }
    }

    /// <summary>Gets since when the silo has not been answering, as far as this engine knows; null if it answers.</summary>
    internal DateTimeOffset? NotAnsweringSince(string silo)
    {
        lock (_answersGate)
        {
            return _answers.TryGetValue(silo, out var answers) ? answers.Since : null;
        }
    }

    /// <summary>Gets a token cancelled when this engine next hears an answer of the silo to any of its questions (a late
    /// answer to an earlier question included); see <see cref="Answered"/>.</summary>
    internal CancellationToken AnswerHeard(string silo)
    {
        lock (_answersGate)
        {
            var answers = _answers.TryGetValue(silo, out var known) ? known : new Answers();
            if (answers.Heard is null)
            {
                answers = answers with { Heard = new CancellationTokenSource() };
                _answers[silo] = answers;
            }

            return answers.Heard!.Token;
        }
    }

    internal int WorkersFor(PrepareResponse silo) => Options.WorkersPerSilo ?? Math.Max(1, silo.ProcessorCount);

    internal void RememberWidth(int width) => Volatile.Write(ref _knownWidth, Math.Max(1, width));

    // A run's slots are grains of its own (the run id is in the key): a run never queues behind another run's batches,
    // and a call in flight is the only one its grain has, which is what lets the engine tell a lost response.
    // A slot whose call got stuck takes a grain of a new generation: a new grain id, so its calls are not queued behind
    // the stuck one and the client routes them afresh (it sends every call to one grain through the same gateway).
    internal IWorkerGrain Slot(SiloAddress silo, Guid runId, int slot, int generation = 0) =>
        GrainFactory.GetGrain<IWorkerGrain>(SlotKey.Create(silo, runId == Guid.Empty ? "probe" : runId.ToString("N"), slot, generation));

    /// <summary>The generation of a silo's first discovery grain (see <see cref="SkipProbeGenerations"/>); 0 until then.</summary>
    internal int ProbeGeneration(SiloAddress silo) => _probeGenerations.TryGetValue(silo.ToParsableString(), out var first) ? first : 0;

    /// <summary>Makes a silo's next discovery questions go to grains of generation <paramref name="next"/> on (never back):
    /// grains of a new id, placed afresh, not routed where the last ones were.</summary>
    internal void SkipProbeGenerations(SiloAddress silo, int next) =>
        _probeGenerations.AddOrUpdate(silo.ToParsableString(), next, (_, first) => Math.Max(first, next));

    // A silo's answers: the last question it answered and the last it missed; Since is set while it is marked not
    // answering. Heard is ended at its next answer (and then dropped: a token of an ended source costs no timer).
    private sealed record Answers(DateTimeOffset? Since = null, long LastMissed = 0, long LastAnswered = 0, CancellationTokenSource? Heard = null);
}
