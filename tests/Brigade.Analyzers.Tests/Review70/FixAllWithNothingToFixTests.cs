using Brigade.Analyzers.CodeFixes;
using Brigade.Analyzers.Tests.Infrastructure;
using Brigade.Analyzers.Tests.Rules;

namespace Brigade.Analyzers.Tests.Review70;

/// <summary>
/// Review 70 (fresh user, finding 8): `dotnet format analyzers --diagnostics BRG2004` on an app whose only BRG2004 is in a
/// synchronous method printed "Unable to fix BRG2004. Code fix BRG2004ForEachAsyncCodeFix didn't return a Fix All
/// action.", which reads like a crash of the fixer. dotnet format asks the fix's Fix All provider for a solution-wide
/// action (with the key of the first diagnostic's action, none here) and prints that line when the provider returns
/// null, which the batch fixer does when no diagnostic has a fix. The docs say the fix needs an async function: with
/// nothing to fix, Fix All now returns an action that changes nothing, and dotnet format says nothing. This does what
/// dotnet format does (as BRG2003BRG2004FixAllWithoutKeyTests).
/// </summary>
public sealed class FixAllWithNothingToFixTests
{
    [Fact]
    public async Task BRG2004_Fix_All_with_only_synchronous_callers_changes_nothing_and_returns_an_action()
    {
        const string source = "class C { static Task SaveAsync(int x) => Task.Delay(x); void S(int[] xs) { Parallel.ForEach(xs, async x => await SaveAsync(x)); } }";
        var text = await BRG2003BRG2004FixAllWithoutKeyTests.FixAllFromFirstAsync(new BRG2004AsyncLambdaToSyncParallelApiAnalyzer(), new BRG2004ForEachAsyncCodeFix(), source, leastDiagnostics: 1);
        Assert.Equal(Verify<BRG2004AsyncLambdaToSyncParallelApiAnalyzer>.Usings + source, text);
    }

    [Fact]
    public async Task BRG2003_Fix_All_with_only_unfixable_calls_changes_nothing_and_returns_an_action()
    {
        const string source = "class C { void S() { Parallel.For(0, 1, i => Thread.Sleep(1)); } }";
        var text = await BRG2003BRG2004FixAllWithoutKeyTests.FixAllFromFirstAsync(new BRG2003BlockingOnThreadPoolAnalyzer(), new BRG2003AwaitCodeFix(), source, leastDiagnostics: 1);
        Assert.Equal(Verify<BRG2003BlockingOnThreadPoolAnalyzer>.Usings + source, text);
    }

    [Fact]
    public async Task BRG2004_Fix_All_with_a_fixable_call_still_fixes_it()
    {
        const string source = "class C { static Task SaveAsync(int x) => Task.Delay(x); void S(int[] xs) { Parallel.ForEach(xs, async x => await SaveAsync(x)); } async Task M(int[] xs) { Parallel.ForEach(xs, async x => await SaveAsync(x)); } }";
        var text = await BRG2003BRG2004FixAllWithoutKeyTests.FixAllFromFirstAsync(new BRG2004AsyncLambdaToSyncParallelApiAnalyzer(), new BRG2004ForEachAsyncCodeFix(), source, leastDiagnostics: 1);
        Assert.Contains("await Parallel.ForEachAsync(xs, async (x, cancellationToken) => await SaveAsync(x));", text, StringComparison.Ordinal);
        Assert.Contains("void S(int[] xs) { Parallel.ForEach(xs, async x => await SaveAsync(x)); }", text, StringComparison.Ordinal);
    }
}
