using System.Collections.Immutable;
using Brigade.Analyzers.LockOrder;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Brigade.Analyzers;

/// <summary>
/// BRG2001: a lock-order inversion across the compilation. Every function is summarised once (which locks it takes,
/// which functions of the compilation it calls, and what it holds then: <c>lock</c>, <c>Monitor.Enter</c>,
/// <c>Lock.EnterScope</c>, Brigade's <c>Acquire</c>, <c>SemaphoreSlim.Wait(Async)</c>, <c>ReaderWriterLockSlim</c>
/// write, upgradeable and read locks, <c>Mutex.WaitOne</c>, <c>SpinLock.Enter</c>); at compilation end the lock graph is built, following calls, and
/// each edge of a cycle is reported where its inner lock is taken, with the path of both orders. A cycle through a lock
/// taken and held as a reader on both sides (read–read) is not an inversion.
/// </summary>
/// <remarks>A compilation-end diagnostic: it appears in builds, and in an IDE only when it analyzes the whole solution
/// (full solution analysis), not live while typing.</remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
internal sealed class BRG2001LockOrderInversionAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.BRG2001LockOrderInversion);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var known = KnownSymbols.Create(start.Compilation);
            var graph = new LockGraph();
            var walker = new LockWalker(known, graph.Add);
            start.RegisterOperationBlockAction(block =>
            {
                if (block.OwningSymbol is not IMethodSymbol method)
                {
                    return;
                }

                foreach (var root in block.OperationBlocks)
                {
                    walker.WalkFunction(method, root);
                }
            });
            start.RegisterCompilationEndAction(end => graph.Report(end.ReportDiagnostic, end.CancellationToken));
        });
    }
}
