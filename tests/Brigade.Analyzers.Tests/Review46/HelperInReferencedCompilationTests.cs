using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Brigade.Analyzers.Tests.Infrastructure;

namespace Brigade.Analyzers.Tests.Review46;

// Review 46: running over vs-threading's tests, whose project references the library as a compilation (as an IDE
// does), BRG2003 asked for a semantic model of the library's `WithTimeout` in the tests' compilation and threw
// (AD0001: "SyntaxTree is not part of the compilation"). A helper of another compilation is not read: the read after
// it is reported, as before helpers were followed.
public sealed class HelperInReferencedCompilationTests
{
    private const string Library = """
        public static class Helpers
        {
            public static async Task Completed(Task t) { await t; }
        }
        """;

    private const string Caller = """
        class C { async Task<int> M(Task<int> t) { await Helpers.Completed(t); return t.Result; } }
        class D { async Task<int> M(Task<int> t) { await Local(t); return t.Result; } static async Task Local(Task t) { await t; } }
        """;

    [Fact]
    public async Task BRG2003_does_not_read_a_helper_of_a_referenced_compilation()
    {
        var parse = new CSharpParseOptions(LanguageVersion.Preview);
        var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable);
        var usings = Verify<BRG2003BlockingOnThreadPoolAnalyzer>.Usings;
        var library = CSharpCompilation.Create("Library", [CSharpSyntaxTree.ParseText(usings + Library, parse)], TestReferences.All, options);
        var app = CSharpCompilation.Create("App", [CSharpSyntaxTree.ParseText(usings + Caller, parse)], TestReferences.All.Add(library.ToMetadataReference()), options);
        Assert.Empty(app.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));

        var exceptions = new List<Exception>();
        var analysis = new CompilationWithAnalyzersOptions(new AnalyzerOptions([]), (e, _, _) => exceptions.Add(e), concurrentAnalysis: false, logAnalyzerExecutionTime: false);
        var diagnostics = await app.WithAnalyzers([new BRG2003BlockingOnThreadPoolAnalyzer()], analysis).GetAnalyzerDiagnosticsAsync(CancellationToken.None);

        Assert.Empty(exceptions);
        // C's read follows a helper of the other compilation (reported); D's a helper of its own (complete).
        var reported = Assert.Single(diagnostics, d => d.Id == "BRG2003");
        Assert.Contains("class C", reported.Location.SourceTree!.GetText().Lines[reported.Location.GetLineSpan().StartLinePosition.Line].ToString(), StringComparison.Ordinal);
    }
}
