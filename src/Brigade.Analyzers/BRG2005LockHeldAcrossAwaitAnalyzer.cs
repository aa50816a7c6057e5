using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Brigade.Analyzers;

/// <summary>
/// BRG2005: a Brigade lock (<c>DetectingLock</c>, <c>DetectingReaderWriterLock</c>, <c>DetectingSemaphore</c>) taken
/// with the blocking <c>Acquire</c> in an async function and held across an <c>await</c>. The synchronous acquisition
/// belongs to its thread; the method may resume on another, whose release throws. Recognised
/// holding forms: <c>using (l.Acquire()) { ... }</c>, <c>using var s = l.Acquire();</c>, and
/// <c>var s = l.Acquire(); try { ... } finally { s.Dispose(); }</c>.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
internal sealed class BRG2005LockHeldAcrossAwaitAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.BRG2005LockHeldAcrossAwait);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var known = KnownSymbols.Create(start.Compilation);
            if (known.DetectingLock is null && known.DetectingReaderWriterLock is null && known.DetectingSemaphore is null)
            {
                return;
            }

            start.RegisterOperationAction(c => Analyze(c, known), OperationKind.Invocation);
        });
    }

    /// <summary>Gets the asynchronous twin of a blocking Brigade acquisition (<c>Acquire</c> → <c>AcquireAsync</c>).</summary>
    /// <param name="method">The method called.</param>
    /// <param name="known">The known types.</param>
    /// <returns>The twin's name, or null if the call is not a blocking Brigade acquisition.</returns>
    public static string? AsyncTwin(IMethodSymbol method, KnownSymbols known) =>
        known.IsBrigadePrimitive(method.ContainingType) && method.Name is "Acquire" or "TryAcquire" or "AcquireRead" or "AcquireWrite" or "TryAcquireRead" or "TryAcquireWrite"
            ? method.Name + "Async"
            : null;

    private static void Analyze(OperationAnalysisContext context, KnownSymbols known)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (AsyncTwin(invocation.TargetMethod, known) is not { } twin
            || Operations.EnclosingFunction(invocation, context.ContainingSymbol, out _) is not { IsAsync: true })
        {
            return;
        }

        if (FirstAwaitWhileHeld(invocation) is { } awaited)
        {
            var line = awaited.Syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
            var name = invocation.TargetMethod.ContainingType.Name + "." + invocation.TargetMethod.Name;
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.BRG2005LockHeldAcrossAwait, invocation.Syntax.GetLocation(), name, line, twin));
        }
    }

    // The first await (or await foreach / await using) while the scope the call returns is held, if any.
    private static IOperation? FirstAwaitWhileHeld(IInvocationOperation invocation)
    {
        IOperation child = invocation;
        var current = invocation.Parent;
        while (current is IConversionOperation or IVariableInitializerOperation or IVariableDeclaratorOperation or IVariableDeclarationOperation or IVariableDeclarationGroupOperation)
        {
            child = current;
            current = current.Parent;
        }

        switch (current)
        {
            case IUsingOperation usingOperation when child == usingOperation.Resources:
                return FirstAwait(usingOperation.Body);
            case IUsingDeclarationOperation declaration when declaration.Parent is IBlockOperation block:
                return FirstAwaitAfter(block, declaration, disposedLocal: null);
        }

        // var scope = l.Acquire(); ... scope.Dispose();
        if (child is IVariableDeclarationGroupOperation group && current is IBlockOperation containing)
        {
            var declarator = group.Declarations.SelectMany(d => d.Declarators).FirstOrDefault();
            return declarator is null ? null : FirstAwaitAfter(containing, group, declarator.Symbol);
        }

        return null;
    }

    private static IOperation? FirstAwaitAfter(IBlockOperation block, IOperation statement, ILocalSymbol? disposedLocal)
    {
        var after = false;
        foreach (var sibling in block.Operations)
        {
            if (sibling == statement)
            {
                after = true;
                continue;
            }

            if (!after)
            {
                continue;
            }

            var disposeAt = disposedLocal is null ? int.MaxValue : DisposePosition(sibling, disposedLocal);
            if (FirstAwait(sibling) is { } awaited && awaited.Syntax.SpanStart < disposeAt)
            {
                return awaited;
            }

            if (disposeAt != int.MaxValue)
            {
                return null;
            }
        }

        return null;
    }

    private static int DisposePosition(IOperation operation, ILocalSymbol local)
    {
        foreach (var descendant in operation.DescendantsAndSelf())
        {
            if (descendant is IInvocationOperation { TargetMethod.Name: "Dispose", Instance: ILocalReferenceOperation reference }
                && SymbolEqualityComparer.Default.Equals(reference.Local, local))
            {
                return descendant.Syntax.SpanStart;
            }
        }

        return int.MaxValue;
    }

    private static IOperation? FirstAwait(IOperation root)
    {
        if (Operations.IsAwait(root))
        {
            return root;
        }

        foreach (var operation in Operations.DescendantsInFunction(root))
        {
            if (Operations.IsAwait(operation))
            {
                return operation;
            }
        }

        return null;
    }
}
