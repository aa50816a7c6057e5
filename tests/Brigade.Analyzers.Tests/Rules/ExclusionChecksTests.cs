using Brigade.Analyzers.Tests.Infrastructure;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Brigade.Analyzers.Tests.Rules;

/// <summary>
/// Each rule's diagnostics are gone in generated code and under <c>#pragma warning disable</c>: the analyzer-testing
/// framework's exclusion checks, which it ran again for every source with a diagnostic (two more compilations and
/// analyses each) and which <see cref="Verify{TAnalyzer}"/> now leaves to these, once per rule, on the first source of
/// the rule's buggy list.
/// </summary>
public sealed class ExclusionChecksTests
{
    [Fact]
    public Task BRG2001_is_excluded_from_generated_code_and_suppressed_by_pragma() =>
        Verify<BRG2001LockOrderInversionAnalyzer>.AnalyzerWithExclusionChecksAsync(First(BRG2001Tests.Buggy));

    [Fact]
    public Task BRG2002_is_excluded_from_generated_code_and_suppressed_by_pragma() =>
        Verify<BRG2002LostUpdateAnalyzer>.AnalyzerWithExclusionChecksAsync(First(BRG2002Tests.Buggy));

    [Fact]
    public Task BRG2003_is_excluded_from_generated_code_and_suppressed_by_pragma() =>
        Verify<BRG2003BlockingOnThreadPoolAnalyzer>.AnalyzerWithExclusionChecksAsync(First(BRG2003Tests.Buggy));

    [Fact]
    public Task BRG2004_is_excluded_from_generated_code_and_suppressed_by_pragma() =>
        Verify<BRG2004AsyncLambdaToSyncParallelApiAnalyzer>.AnalyzerWithExclusionChecksAsync(First(BRG2004Tests.Buggy));

    [Fact]
    public Task BRG2005_is_excluded_from_generated_code_and_suppressed_by_pragma() =>
        Verify<BRG2005LockHeldAcrossAwaitAnalyzer>.AnalyzerWithExclusionChecksAsync(First(BRG2005Tests.Buggy));

    [Fact]
    public Task BRG2006_is_excluded_from_generated_code_and_suppressed_by_pragma() =>
        Verify<BRG2006SharedAcrossAwaitAnalyzer>.AnalyzerWithExclusionChecksAsync(First(BRG2006Tests.Buggy));

    [Fact]
    public Task BRG2007_is_excluded_from_generated_code_and_suppressed_by_pragma() =>
        Verify<BRG2007ThreadAffineLockAcrossAwaitAnalyzer>.AnalyzerWithExclusionChecksAsync(First(Review60.BRG2007Tests.Buggy));

    [Fact]
    public Task BRG2008_is_excluded_from_generated_code_and_suppressed_by_pragma() =>
        Verify<BRG2008NestedTaskNotUnwrappedAnalyzer>.AnalyzerWithExclusionChecksAsync(First(Review60.BRG2008Tests.Buggy));

    [Fact]
    public void Every_analyzer_has_its_exclusion_check()
    {
        // A new rule gets its line above: without it, nothing would check its exclusions.
        var analyzers = typeof(BRG2001LockOrderInversionAnalyzer).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(DiagnosticAnalyzer)) && !t.IsAbstract)
            .Select(t => t.Name[..7])
            .Order(StringComparer.Ordinal);
        var checkedRules = typeof(ExclusionChecksTests).GetMethods()
            .Where(m => m.Name.EndsWith("_is_excluded_from_generated_code_and_suppressed_by_pragma", StringComparison.Ordinal))
            .Select(m => m.Name[..7])
            .Order(StringComparer.Ordinal);
        Assert.Equal(analyzers, checkedRules);
    }

    private static string First(TheoryData<string> sources) => (string)((IEnumerable<object?[]>)sources).First()[0]!;
}
