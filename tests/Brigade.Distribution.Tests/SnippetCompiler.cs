using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Brigade.Distribution.Tests;

/// <summary>
/// Compiles a snippet as its own program, as the C# compiler of a .NET 10 project would: top-level statements, nullable
/// on, against the framework and everything this test project references (Brigade's libraries, Orleans and its
/// membership providers), beside <c>Snippets/DocsPrelude.cs</c>; and runs the Brigade analyzers over it.
/// </summary>
internal static class SnippetCompiler
{
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<IReadOnlyList<MetadataReference>> References = new(() =>
    {
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var local = Directory.GetFiles(AppContext.BaseDirectory, "*.dll");
        return trusted.Concat(local)
            .Where(IsManagedAssembly)
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(g => (MetadataReference)MetadataReference.CreateFromFile(g.First()))
            .ToList();
    });

    private static readonly Lazy<SyntaxTree> Prelude = new(() =>
    {
        using var stream = typeof(SnippetCompiler).Assembly.GetManifestResourceStream("DocsPrelude.cs")!;
        using var reader = new StreamReader(stream);
        return CSharpSyntaxTree.ParseText(reader.ReadToEnd(), ParseOptions, "DocsPrelude.cs");
    });

    // The Brigade analyzers (BRG2001-BRG2008), as the Brigade package hands them to the compiler.
    private static readonly Lazy<System.Collections.Immutable.ImmutableArray<DiagnosticAnalyzer>> Analyzers = new(() =>
        [.. Assembly.Load("Brigade.Analyzers").GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)]);

    /// <summary>Compiles the snippet; the errors come back as "file.md:line: CSxxxx message" with the line in the Markdown file.</summary>
    public static (IReadOnlyList<string> Errors, byte[]? Assembly) Compile(Snippet snippet)
    {
        var compilation = CreateCompilation(snippet);
        using var output = new MemoryStream();
        var result = compilation.Emit(output);
        var errors = result.Diagnostics
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d => Describe(snippet, d))
            .ToList();
        return (errors, result.Success ? output.ToArray() : null);
    }

    /// <summary>
    /// Compiles the snippet and runs the Brigade analyzers over it, in one pass: the compiler's errors (as
    /// <see cref="Compile"/> gives them, short of emitting) and the analyzers' diagnostics in the snippet (not in the
    /// prelude), as (line of the snippet from 1, rule id, message).
    /// </summary>
    public static async Task<(IReadOnlyList<string> Errors, IReadOnlyList<(int Line, string Id, string Message)> Reported)> CheckAsync(Snippet snippet)
    {
        var diagnostics = await CreateCompilation(snippet).WithAnalyzers(Analyzers.Value).GetAllDiagnosticsAsync();
        static bool FromCompiler(Diagnostic d) => d.Id.StartsWith("CS", StringComparison.Ordinal);
        var errors = diagnostics
            .Where(d => d.Severity == DiagnosticSeverity.Error && FromCompiler(d))
            .Select(d => Describe(snippet, d))
            .ToList();
        IReadOnlyList<(int Line, string Id, string Message)> reported =
        [
            .. diagnostics
                .Where(d => !FromCompiler(d) && d.Location.GetLineSpan().Path == snippet.File)
                .Select(d => (d.Location.GetLineSpan().StartLinePosition.Line + 1, d.Id, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)))
                .Distinct()
                .OrderBy(d => d.Item1),
        ];

        return (errors, reported);
    }

    private static CSharpCompilation CreateCompilation(Snippet snippet)
    {
        var tree = CSharpSyntaxTree.ParseText(snippet.Code, ParseOptions, snippet.File);
        var hasStatements = tree.GetCompilationUnitRoot().Members.OfType<GlobalStatementSyntax>().Any();
        var options = new CSharpCompilationOptions(hasStatements ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary)
            .WithNullableContextOptions(NullableContextOptions.Enable)
            .WithAllowUnsafe(false);
        return CSharpCompilation.Create("Snippet" + Guid.NewGuid().ToString("N"), [Prelude.Value, tree], References.Value, options);
    }

    private static string Describe(Snippet snippet, Diagnostic d)
    {
        var span = d.Location.GetLineSpan();
        var where = span.Path == snippet.File ? $"{snippet.File}:{snippet.Line + 1 + span.StartLinePosition.Line}" : $"{span.Path}:{span.StartLinePosition.Line + 1}";
        return $"{where}: {d.Id} {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    private static bool IsManagedAssembly(string path)
    {
        try
        {
            AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}
