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

    /// <summary>Checks the diagnostics of the analyzer on a source.</summary>
    /// <param name="source">The source, without usings, with markup.</param>
    /// <param name="expected">Diagnostics beyond the markup.</param>
    /// <returns>The check.</returns>
    public static Task AnalyzerAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { TestCode = Usings + source, ReferenceAssemblies = TestReferences.None };
        test.TestState.AdditionalReferences.AddRange(TestReferences.All);
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    /// <summary>Checks a code fix: the diagnostics on the source, and the source after the fix.</summary>
    /// <typeparam name="TCodeFix">The code fix.</typeparam>
    /// <param name="source">The source with markup.</param>
    /// <param name="fixedSource">The source after every fix.</param>
    /// <returns>The check.</returns>
    public static Task CodeFixAsync<TCodeFix>(string source, string fixedSource)
        where TCodeFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
        {
            TestCode = Usings + source,
            FixedCode = Usings + fixedSource,
            ReferenceAssemblies = TestReferences.None,
        };
        test.TestState.AdditionalReferences.AddRange(TestReferences.All);
        test.FixedState.AdditionalReferences.AddRange(TestReferences.All);
        return test.RunAsync();
    }

    /// <summary>Creates an expected diagnostic of the analyzer's (first) rule.</summary>
    /// <returns>The expectation, to locate with <c>WithLocation</c>.</returns>
    public static DiagnosticResult Diagnostic() => CSharpAnalyzerVerifier<TAnalyzer, DefaultVerifier>.Diagnostic();
}
