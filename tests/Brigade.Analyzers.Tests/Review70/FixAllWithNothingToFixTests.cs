using System.Collections.Immutable;
using Brigade.Analyzers.CodeFixes;
using Brigade.Analyzers.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

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
        var text = await FixAllFromFirstAsync(new BRG2004AsyncLambdaToSyncParallelApiAnalyzer(), new BRG2004ForEachAsyncCodeFix(), source);
        Assert.Equal(Verify<BRG2004AsyncLambdaToSyncParallelApiAnalyzer>.Usings + source, text);
    }

    [Fact]
    public async Task BRG2003_Fix_All_with_only_unfixable_calls_changes_nothing_and_returns_an_action()
    {
        const string source = "class C { void S() { Parallel.For(0, 1, i => Thread.Sleep(1)); } }";
        var text = await FixAllFromFirstAsync(new BRG2003BlockingOnThreadPoolAnalyzer(), new BRG2003AwaitCodeFix(), source);
        Assert.Equal(Verify<BRG2003BlockingOnThreadPoolAnalyzer>.Usings + source, text);
    }

    [Fact]
    public async Task BRG2004_Fix_All_with_a_fixable_call_still_fixes_it()
    {
        const string source = "class C { static Task SaveAsync(int x) => Task.Delay(x); void S(int[] xs) { Parallel.ForEach(xs, async x => await SaveAsync(x)); } async Task M(int[] xs) { Parallel.ForEach(xs, async x => await SaveAsync(x)); } }";
        var text = await FixAllFromFirstAsync(new BRG2004AsyncLambdaToSyncParallelApiAnalyzer(), new BRG2004ForEachAsyncCodeFix(), source);
        Assert.Contains("await Parallel.ForEachAsync(xs, async (x, cancellationToken) => await SaveAsync(x));", text, StringComparison.Ordinal);
        Assert.Contains("void S(int[] xs) { Parallel.ForEach(xs, async x => await SaveAsync(x)); }", text, StringComparison.Ordinal);
    }

    private static async Task<string> FixAllFromFirstAsync(DiagnosticAnalyzer analyzer, CodeFixProvider fix, string source)
    {
        using var workspace = new AdhocWorkspace();
        var project = workspace.AddProject("P", LanguageNames.CSharp)
            .WithCompilationOptions(new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary))
            .WithMetadataReferences(TestReferences.All);
        var document = project.AddDocument("Test0.cs", Verify<BRG2003BlockingOnThreadPoolAnalyzer>.Usings + source);
        var compilation = await document.Project.GetCompilationAsync();
        var diagnostics = (await compilation!.WithAnalyzers([analyzer]).GetAnalyzerDiagnosticsAsync()).OrderBy(d => d.Location.SourceSpan.Start).ToImmutableArray();
        Assert.NotEmpty(diagnostics);

        // As dotnet format: the key is that of the first diagnostic's first action, here none.
        CodeAction? first = null;
        await fix.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostics[0], (action, _) => first ??= action, CancellationToken.None));
        Assert.Null(first);

        var context = new FixAllContext(document, fix, FixAllScope.Solution, first?.EquivalenceKey, [diagnostics[0].Id], new Provider(diagnostics), CancellationToken.None);
        var fixAll = await fix.GetFixAllProvider()!.GetFixAsync(context);
        Assert.NotNull(fixAll);
        var operations = await fixAll.GetOperationsAsync(CancellationToken.None);
        var changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution;
        return (await changed.GetDocument(document.Id)!.GetTextAsync()).ToString();
    }

    private sealed class Provider(ImmutableArray<Diagnostic> diagnostics) : FixAllContext.DiagnosticProvider
    {
        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) => Task.FromResult<IEnumerable<Diagnostic>>(diagnostics);

        public override Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken) => Task.FromResult<IEnumerable<Diagnostic>>(diagnostics);

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) => Task.FromResult<IEnumerable<Diagnostic>>(Array.Empty<Diagnostic>());
    }
}
