using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace Brigade.Analyzers.Tests.Infrastructure;

/// <summary>
/// Runs an analyzer (and a code fix) over test code with Microsoft.CodeAnalysis.Testing: <c>[|...|]</c> marks where
/// the diagnostic must be, and nothing else may be reported; the code must compile.
/// </summary>
/// <typeparam name="TAnalyzer">The analyzer.</typeparam>
internal static class Verify<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    /// <summary>The usings every test source starts with.</summary>
    public const string Usings = """
        using System;
        using System.Collections.Concurrent;
        using System.Collections.Generic;
        using System.IO;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;
        using Brigade;
        using Brigade.Diagnostics;
        using Brigade.Synchronization;

        """;

    /// <summary>
    /// The framework's checks that run again for every source with a diagnostic, and are a property of the rule, not of
    /// the source: that its diagnostics are gone when the source is marked generated (the analyzer's
    /// <c>ConfigureGeneratedCodeAnalysis</c>) and under <c>#pragma warning disable</c> (the compiler's filter). Each is a
    /// compilation and an analysis of its own, so a source with a diagnostic cost three of them, and about half the
    /// project's analyses were these. They run once per rule instead (<see cref="AnalyzerWithExclusionChecksAsync"/>,
    /// ExclusionChecksTests).
    /// </summary>
    private const TestBehaviors OncePerRule = TestBehaviors.SkipGeneratedCodeCheck | TestBehaviors.SkipSuppressionCheck;

    /// <summary>Checks the diagnostics of the analyzer on a source.</summary>
    /// <param name="source">The source, without usings, with markup.</param>
    /// <param name="expected">Diagnostics beyond the markup.</param>
    /// <returns>The check.</returns>
    public static Task AnalyzerAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { TestCode = Usings + source, ReferenceAssemblies = TestReferences.None, TestBehaviors = OncePerRule };
        test.TestState.AdditionalReferences.AddRange(TestReferences.All);
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    /// <summary>
    /// Checks the diagnostics of the analyzer on a source, and that they are gone when the source is marked generated
    /// (<c>// &lt;auto-generated&gt;</c>) and under <c>#pragma warning disable</c>: the framework's exclusion checks, which
    /// <see cref="OncePerRule"/> leaves to this (ExclusionChecksTests runs it once per rule).
    /// </summary>
    /// <param name="source">The source, without usings, with markup.</param>
    /// <returns>The check.</returns>
    public static Task AnalyzerWithExclusionChecksAsync(string source)
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { TestCode = Usings + source, ReferenceAssemblies = TestReferences.None, TestBehaviors = TestBehaviors.None };
        test.TestState.AdditionalReferences.AddRange(TestReferences.All);
        return test.RunAsync();
    }

    /// <summary>
    /// Checks a code fix: the diagnostics on the source, and the source after the fix, applied one diagnostic at a time
    /// and, where the source has two diagnostics or more to fix, by one Fix All in document scope.
    /// </summary>
    /// <remarks>
    /// The framework's Fix All checks repeat the whole fix (analysis, fix, analysis of the result) once per scope:
    /// document, project and solution, and each of them cost about what the fix itself did. Fix All is the batch fixer
    /// asking the fix's own RegisterCodeFixesAsync for every diagnostic and merging the changes: with one diagnostic, or
    /// none fixed, there is nothing to merge, and it checks again what the one-at-a-time pass did. With one document,
    /// project and solution scope hand the batch fixer the same diagnostics as document scope. So a source with two or
    /// more fixes is checked in document scope here, and the scopes across documents once per fix (<see cref="FixAllAsync"/>).
    /// </remarks>
    /// <typeparam name="TCodeFix">The code fix.</typeparam>
    /// <param name="source">The source with markup.</param>
    /// <param name="fixedSource">The source after every fix.</param>
    /// <returns>The check.</returns>
    public static Task CodeFixAsync<TCodeFix>(string source, string fixedSource)
        where TCodeFix : CodeFixProvider, new()
    {
        var merged = source != fixedSource && MarkedSpans(source) > 1;
        var test = new CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
        {
            TestCode = Usings + source,
            FixedCode = Usings + fixedSource,
            ReferenceAssemblies = TestReferences.None,
            TestBehaviors = OncePerRule,
            CodeFixTestBehaviors = merged
                ? CodeFixTestBehaviors.SkipFixAllInProjectCheck | CodeFixTestBehaviors.SkipFixAllInSolutionCheck
                : CodeFixTestBehaviors.SkipFixAllCheck,
        };
        test.TestState.AdditionalReferences.AddRange(TestReferences.All);
        test.FixedState.AdditionalReferences.AddRange(TestReferences.All);
        return test.RunAsync();
    }

    /// <summary>Checks a code fix's Fix All: one pass fixes every diagnostic of a document (document scope) or of all the
    /// documents (project and solution scope), and the fix offers a Fix All provider at all.</summary>
    /// <typeparam name="TCodeFix">The code fix.</typeparam>
    /// <param name="sources">The documents with markup.</param>
    /// <param name="fixedSources">The documents after one Fix All.</param>
    /// <returns>The check.</returns>
    public static Task FixAllAsync<TCodeFix>(string[] sources, string[] fixedSources)
        where TCodeFix : CodeFixProvider, new()
    {
        var provider = new TCodeFix().GetFixAllProvider();
        if (provider is null || !provider.GetSupportedFixAllScopes().Contains(FixAllScope.Solution))
        {
            throw new InvalidOperationException($"{typeof(TCodeFix).Name} offers no Fix All in solution scope");
        }

        var test = new CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
        {
            ReferenceAssemblies = TestReferences.None,
            TestBehaviors = OncePerRule,
            NumberOfFixAllIterations = 1,
            NumberOfFixAllInDocumentIterations = sources.Length, // one pass per document
            NumberOfFixAllInProjectIterations = 1,
            CodeFixTestBehaviors = CodeFixTestBehaviors.SkipLocalDiagnosticCheck,
        };
        for (var i = 0; i < sources.Length; i++)
        {
            test.TestState.Sources.Add(($"/0/Test{i}.cs", Usings + sources[i]));
            test.BatchFixedState.Sources.Add(($"/0/Test{i}.cs", Usings + fixedSources[i]));
            test.FixedState.Sources.Add(($"/0/Test{i}.cs", Usings + fixedSources[i]));
        }

        test.TestState.AdditionalReferences.AddRange(TestReferences.All);
        test.FixedState.AdditionalReferences.AddRange(TestReferences.All);
        test.BatchFixedState.AdditionalReferences.AddRange(TestReferences.All);
        return test.RunAsync();
    }

    // The diagnostics a source marks: [|...|] and {|id:...|}.
    private static int MarkedSpans(string source) =>
        source.Split("[|").Length - 1 + source.Split("{|").Length - 1;

    /// <summary>Creates an expected diagnostic of the analyzer's (first) rule.</summary>
    /// <returns>The expectation, to locate with <c>WithLocation</c>.</returns>
    public static DiagnosticResult Diagnostic() => CSharpAnalyzerVerifier<TAnalyzer, DefaultVerifier>.Diagnostic();
}
