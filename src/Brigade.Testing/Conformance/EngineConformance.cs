using System.Diagnostics;
using Brigade.Testing.Conformance.Cases;

namespace Brigade.Testing.Conformance;

/// <summary>
/// What every engine must do, whatever its kind of parallelism: results in input order, every item exactly once,
/// failures with their index, cancellation that leaves no worker behind, <see cref="FailureMode.StopOnFirstFailure"/>,
/// failing and endless inputs, and a report that adds up. One suite for the built-in engines, worker processes, the
/// cluster, and any engine written elsewhere.
/// </summary>
/// <remarks>
/// <para>Framework-neutral: a case fails with a <see cref="ConformanceResult"/> (and <see cref="ConformanceFailedException"/>
/// from <see cref="ConformanceResult.ThrowIfFailed"/>), so any test framework runs it. With xunit, one theory per engine:</para>
/// <code>
/// public static TheoryData&lt;string&gt; Cases => [.. EngineConformance.CasesFor(new MyEngine().Capabilities).Select(c => c.Name)];
///
/// [Theory, MemberData(nameof(Cases))]
/// public async Task Conforms(string name) => (await EngineConformance.RunAsync(name, () => new MyEngine())).ThrowIfFailed();
/// </code>
/// <para>Work crosses to the engine as the types of <c>Brigade.Testing.Conformance.Work</c> (public, parameterless constructors), so engines
/// that run items in other processes or machines recreate it there: start those workers with this assembly.</para>
/// </remarks>
public static class EngineConformance
{
    private static readonly Lazy<IReadOnlyList<ConformanceCase>> All = new(() =>
        [.. OrderingCases.All, .. FailureCases.All, .. CancellationCases.All, .. SourceCases.All, .. ReportCases.All, .. TypeCases.All, .. ResilienceCases.All]);

    /// <summary>Gets every case of the suite.</summary>
    public static IReadOnlyList<ConformanceCase> Cases => All.Value;

    /// <summary>Gets the cases that apply to an engine with <paramref name="capabilities"/>.</summary>
    /// <param name="capabilities">The engine's <see cref="Engine.Capabilities"/>.</param>
    /// <returns>The applicable cases, in the suite's order.</returns>
    public static IReadOnlyList<ConformanceCase> CasesFor(EngineCapabilities capabilities) => [.. Cases.Where(c => c.AppliesTo(capabilities))];

    /// <summary>Runs one case.</summary>
    /// <param name="caseName">The case's <see cref="ConformanceCase.Name"/>.</param>
    /// <param name="createEngine">Creates (or returns) the engine under test; called once.</param>
    /// <param name="options">How to run it; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops waiting for the case.</param>
    /// <returns>What the case found; <see cref="ConformanceOutcome.NotApplicable"/> when the engine lacks what the case needs.</returns>
    /// <exception cref="ArgumentException">No case has that name.</exception>
    public static Task<ConformanceResult> RunAsync(string caseName, Func<Engine> createEngine, ConformanceOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caseName);
        ArgumentNullException.ThrowIfNull(createEngine);
        var found = Cases.FirstOrDefault(c => c.Name == caseName) ?? throw new ArgumentException($"No conformance case is named '{caseName}'.", nameof(caseName));
        return RunCaseAsync(found, createEngine(), options ?? new ConformanceOptions(), cancellationToken);
    }

    /// <summary>Runs every case, one after the other, on one engine.</summary>
    /// <param name="createEngine">Creates (or returns) the engine under test; called once.</param>
    /// <param name="options">How to run it; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops the suite between cases.</param>
    /// <returns>One result per case.</returns>
    public static async Task<ConformanceReport> RunAllAsync(Func<Engine> createEngine, ConformanceOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(createEngine);
        var engine = createEngine();
        var results = new List<ConformanceResult>();
        foreach (var c in Cases)
        {
            cancellationToken.ThrowIfCancellationRequested();
            results.Add(await RunCaseAsync(c, engine, options ?? new ConformanceOptions(), cancellationToken).ConfigureAwait(false));
        }

        return new ConformanceReport(results);
    }

    private static async Task<ConformanceResult> RunCaseAsync(ConformanceCase c, Engine engine, ConformanceOptions options, CancellationToken cancellationToken)
    {
        if (!c.AppliesTo(engine.Capabilities))
        {
            return new ConformanceResult(c, ConformanceOutcome.NotApplicable, $"needs {c.Requires}, excluded by {c.ExcludedBy}; the engine has {engine.Capabilities}", null, TimeSpan.Zero);
        }

        var watch = Stopwatch.StartNew();
        using var context = new CaseContext(engine, options);
        try
        {
            await c.Body(context).WaitAsync(options.CaseTimeout, cancellationToken).ConfigureAwait(false);
            return new ConformanceResult(c, ConformanceOutcome.Passed, null, null, watch.Elapsed);
        }
        catch (CheckFailedException e)
        {
            return new ConformanceResult(c, ConformanceOutcome.Failed, e.Message, null, watch.Elapsed);
        }
        catch (TimeoutException e) when (!cancellationToken.IsCancellationRequested)
        {
            return new ConformanceResult(c, ConformanceOutcome.Failed, $"[{context.Variant}] did not finish in time (a hang?): {e.Message}", e, watch.Elapsed);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new ConformanceResult(c, ConformanceOutcome.Failed, $"[{context.Variant}] {e.GetType().Name}: {e.Message}", e, watch.Elapsed);
        }
    }
}
