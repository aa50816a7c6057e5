using System.Collections.Immutable;
using Brigade.Analyzers.CodeFixes;
using Brigade.Analyzers.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Brigade.Analyzers.Tests.Rules;

/// <summary>
/// Review 29c, finding 15: <c>dotnet format analyzers --diagnostics BRGxxxx</c> starts Fix All from the first
/// diagnostic of the id with that diagnostic's action's equivalence key, null when the first diagnostic has no fix.
/// The batch fixer then found no action and fixed nothing. This does what dotnet format does.
/// </summary>
public sealed class BRG2003BRG2004FixAllWithoutKeyTests
{
    [Fact]
    public async Task BRG2003_Fix_All_started_from_a_diagnostic_without_fix_fixes_the_others()
    {
        var text = await FixAllFromFirstAsync(
            new BRG2003BlockingOnThreadPoolAnalyzer(),
            new BRG2003AwaitCodeFix(),
            "class C { void S() { Parallel.For(0, 1, i => Thread.Sleep(1)); } async Task<int> M(Task<int> t) { Thread.Sleep(2); await Task.Yield(); return t?.Result ?? 0; } async Task N(Task u) { u.Wait(); await Task.Yield(); } }");
        Assert.Contains("Parallel.For(0, 1, i => Thread.Sleep(1))", text, StringComparison.Ordinal);
        Assert.Contains("await Task.Delay(2);", text, StringComparison.Ordinal);
        Assert.Contains("t?.Result", text, StringComparison.Ordinal);
        Assert.Contains("await u;", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BRG2004_Fix_All_started_from_a_diagnostic_without_fix_fixes_the_others()
    {
        var text = await FixAllFromFirstAsync(
            new BRG2004AsyncLambdaToSyncParallelApiAnalyzer(),
            new BRG2004ForEachAsyncCodeFix(),
            "class C { static Task SaveAsync(int x) => Task.Delay(x); void S(int[] xs) { Parallel.ForEach(xs, async x => await SaveAsync(x)); } async Task M(int[] xs) { Parallel.ForEach(xs, async x => await SaveAsync(x)); } }");
        Assert.Contains("void S(int[] xs) { Parallel.ForEach(xs, async x => await SaveAsync(x)); }", text, StringComparison.Ordinal);
        Assert.Contains("await Parallel.ForEachAsync(xs, async (x, cancellationToken) => await SaveAsync(x));", text, StringComparison.Ordinal);
    }

    // As dotnet format runs Fix All (Review70/FixAllWithNothingToFixTests calls it too, with one diagnostic at least).
    internal static async Task<string> FixAllFromFirstAsync(DiagnosticAnalyzer analyzer, CodeFixProvider fix, string source, int leastDiagnostics = 2)
    {
        using var workspace = new AdhocWorkspace();
        var project = workspace.AddProject("P", LanguageNames.CSharp)
            .WithCompilationOptions(new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary))
            .WithMetadataReferences(TestReferences.All);
        var document = project.AddDocument("Test0.cs", Verify<BRG2003BlockingOnThreadPoolAnalyzer>.Usings + source);
        var compilation = await document.Project.GetCompilationAsync();
        var diagnostics = (await compilation!.WithAnalyzers([analyzer]).GetAnalyzerDiagnosticsAsync()).OrderBy(d => d.Location.SourceSpan.Start).ToImmutableArray();
        Assert.True(diagnostics.Length >= leastDiagnostics, string.Join("\n", diagnostics));

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
