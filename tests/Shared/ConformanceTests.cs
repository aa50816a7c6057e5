using Brigade.Testing.Conformance;

namespace Brigade.ConformanceAdapters;

/// <summary>
/// The xunit side of Brigade.Testing's engine conformance suite, linked into every test project that has an engine:
/// a derived class names its engine and declares its cases (xunit 2 reads the member data on the declaring type, so
/// each engine lists exactly the cases that apply to it: none is skipped, none passes vacuously).
/// </summary>
/// <remarks>
/// <code>
/// public sealed class MyEngineConformanceTests : ConformanceTests
/// {
///     public static TheoryData&lt;string&gt; Cases => Names(new MyEngine().Capabilities);
///     protected override Engine CreateEngine() => new MyEngine();
///     [Theory, MemberData(nameof(Cases))] public Task Conforms(string name) => RunCaseAsync(name);
/// }
/// </code>
/// </remarks>
public abstract class ConformanceTests
{
    /// <summary>Gets the engine under test (called once per case).</summary>
    protected abstract Engine CreateEngine();

    /// <summary>Gets how the suite runs the engine: width, live-worker count, gates.</summary>
    protected virtual ConformanceOptions Options => new();

    /// <summary>The names of the cases that apply to an engine with <paramref name="capabilities"/>.</summary>
    protected static TheoryData<string> Names(EngineCapabilities capabilities)
    {
        var data = new TheoryData<string>();
        foreach (var c in EngineConformance.CasesFor(capabilities))
        {
            data.Add(c.Name);
        }

        return data;
    }

    /// <summary>
    /// How long one case may take, all its variants together (up to 24 runs of 1,000 items): the suite's 60 s default
    /// was not enough for a machine at load 50 (Brigade.Cli.Tests' one-thread example engine: 14 runs of
    /// Ordering.Map_AnyInput_ResultsInInputOrder done in 60 s, failed in its 15th). A hang is still caught: every run of
    /// a case is bounded on its own (30 s).
    /// </summary>
    protected static readonly TimeSpan CaseTimeout = TimeSpan.FromMinutes(3);

    /// <summary>Runs one case and fails the test with the case's message when the engine does not conform.</summary>
    protected async Task RunCaseAsync(string name)
    {
        var options = Options;
        options.CaseTimeout = CaseTimeout;
        var result = await EngineConformance.RunAsync(name, CreateEngine, options);
        result.ThrowIfFailed();
        Assert.Equal(ConformanceOutcome.Passed, result.Outcome);
    }
}
