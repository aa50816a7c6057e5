using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace Brigade.Analyzers;

/// <summary>
/// BRG2007: a thread-affine lock (<c>Monitor</c>, <c>Mutex</c>, <c>ReaderWriterLockSlim</c>, <c>SpinLock</c>,
/// <c>System.Threading.Lock</c>) held across an <c>await</c>: <c>Monitor.Enter(o); await ...; Monitor.Exit(o);</c>, which the
/// compiler accepts although it refuses <c>lock</c> around an await (CS1996). The method may resume on another thread, whose
/// release throws, and the lock stays held by the first thread. Reported at the first await while the lock is held, from the
/// acquisition to the matching release (in source order, in the same function), and in a <c>using</c> of a type of the
/// compilation whose <c>Dispose</c> releases such a lock. An await of a task complete when made (<c>Task.CompletedTask</c>)
/// continues on the same thread and is passed over (review 61).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
internal sealed class BRG2007ThreadAffineLockAcrossAwaitAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.BRG2007ThreadAffineLockAcrossAwait);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            // Readonly fields that only hold complete tasks (review 67), each read once per compilation when first awaited.
            var fields = new CompleteFields(start.Compilation);
            start.RegisterOperationAction(c => AnalyzeInvocation(c, fields), OperationKind.Invocation);
            start.RegisterOperationAction(c => AnalyzeUsing(c, fields), OperationKind.Using, OperationKind.UsingDeclaration);
        });
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, CompleteFields fields)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (!ThreadAffineLocks.IsAcquire(invocation, out var call)
            || Operations.EnclosingFunction(invocation, context.ContainingSymbol, out var function) is not { IsAsync: true })
        {
            return;
        }

        var root = function ?? Operations.Root(invocation);
        var start = invocation.Syntax.Span.End;
        var key = ThreadAffineLocks.Key(call.Lock);
        var notTaken = NotTakenSpans(invocation, root);
        var end = int.MaxValue;
        var awaits = new List<IOperation>();
        foreach (var operation in Operations.DescendantsInFunction(root))
        {
            if (operation.Syntax.SpanStart < start)
            {
                continue;
            }

            if (operation is IInvocationOperation release && release.Syntax.SpanStart < end
                && ThreadAffineLocks.IsRelease(release, out var family, out var released) && family == call.Family && released is not null
                && ThreadAffineLocks.Key(released) == key && !LockCalls.IsEarlyRelease(release))
            {
                end = release.Syntax.SpanStart;
            }
            else if (Operations.IsAwait(operation) && !CompleteWhenMade.IsAwaitOfComplete(operation, fields) && !notTaken.Any(s => s.Contains(operation.Syntax.SpanStart)))
            {
                awaits.Add(operation);
            }
        }

        if (awaits.Where(a => a.Syntax.SpanStart < end).OrderBy(a => a.Syntax.SpanStart).FirstOrDefault() is { } awaited)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                Descriptors.BRG2007ThreadAffineLockAcrossAwait,
                AwaitLocation(awaited),
                ImmutableArray.Create(invocation.Syntax.GetLocation()),
                ThreadAffineLocks.Name(call.Lock),
                call.Call,
                Operations.ShortPosition(invocation.Syntax.GetLocation()),
                call.Release,
                call.Exception));
        }
    }

    // using (new ReadScope(_lock)) { await ... }: a type of the compilation whose Dispose releases a thread-affine lock.
    private static void AnalyzeUsing(OperationAnalysisContext context, CompleteFields fields)
    {
        IOperation? resource;
        IEnumerable<IOperation> held;
        switch (context.Operation)
        {
            case IUsingOperation { IsAsynchronous: false } usingOperation:
                resource = usingOperation.Resources;
                held = [usingOperation.Body];
                break;
            case IUsingDeclarationOperation { IsAsynchronous: false, Parent: IBlockOperation block } declaration:
                resource = declaration.DeclarationGroup;
                held = block.Operations.SkipWhile(o => o != declaration).Skip(1);
                break;
            default:
                return;
        }

        if (Operations.EnclosingFunction(context.Operation, context.ContainingSymbol, out _) is not { IsAsync: true }
            || ResourceType(resource) is not { } type
            || ReleaseInDispose(type, context.CancellationToken) is not { } release)
        {
            return;
        }

        foreach (var statement in held)
        {
            if (FirstAwait(statement, fields) is { } awaited)
            {
                var exception = release.Name == "ReleaseMutex" ? "ApplicationException" : "SynchronizationLockException";
                context.ReportDiagnostic(Diagnostic.Create(
                    Descriptors.BRG2007ThreadAffineLockAcrossAwait,
                    AwaitLocation(awaited),
                    ImmutableArray.Create(resource!.Syntax.GetLocation()),
                    release.Lock,
                    "a using of " + type.Name,
                    Operations.ShortPosition(resource.Syntax.GetLocation()),
                    type.Name + ".Dispose (" + release.Name + ")",
                    exception));
                return;
            }
        }
    }

    private static ITypeSymbol? ResourceType(IOperation? resource)
    {
        switch (resource)
        {
            case IVariableDeclarationGroupOperation group:
                var declarator = group.Declarations.SelectMany(d => d.Declarators).FirstOrDefault();
                return declarator?.Initializer?.Value is { } value ? Operations.SkipConversions(value).Type : declarator?.Symbol.Type;
            case null:
                return null;
            default:
                return Operations.SkipConversions(resource).Type;
        }
    }

    // The release a type's Dispose() makes, read from its syntax (its tree's semantic model is not the analyzer's to ask for).
    private static (string Lock, string Name)? ReleaseInDispose(ITypeSymbol type, CancellationToken cancellationToken)
    {
        if (type.Locations.All(l => !l.IsInSource))
        {
            return null;
        }

        foreach (var member in type.GetMembers("Dispose"))
        {
            if (member is not IMethodSymbol { Parameters.IsEmpty: true } dispose)
            {
                continue;
            }

            foreach (var reference in dispose.DeclaringSyntaxReferences)
            {
                foreach (var call in reference.GetSyntax(cancellationToken).DescendantNodes().OfType<InvocationExpressionSyntax>())
                {
                    if (call.Expression is MemberAccessExpressionSyntax access && ThreadAffineLocks.IsReleaseName(access.Name.Identifier.ValueText))
                    {
                        var name = access.Name.Identifier.ValueText;
                        if (access.Expression.ToString() == "Monitor" && name == "Exit")
                        {
                            return call.ArgumentList.Arguments.Count > 0 ? (call.ArgumentList.Arguments[0].Expression.ToString(), "Monitor.Exit") : null;
                        }

                        if (name != "Exit" || call.ArgumentList.Arguments.Count <= 1)
                        {
                            return (access.Expression.ToString(), name);
                        }
                    }
                }
            }
        }

        return null;
    }

    // Where the acquisition is known not to have taken the lock: the else of if (Monitor.TryEnter(o)), the body of
    // while (!Monitor.TryEnter(o)) await Task.Delay(10);, and those of the flag it sets (if (!taken) { ... }).
    private static List<TextSpan> NotTakenSpans(IInvocationOperation invocation, IOperation root)
    {
        var spans = new List<TextSpan>();
        AddNotTaken(invocation, spans);
        ILocalSymbol? flag = null;
        var parent = invocation.Parent;
        while (parent is IConversionOperation or IParenthesizedOperation)
        {
            parent = parent.Parent;
        }

        if (parent is IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator })
        {
            flag = declarator.Symbol;
        }
        else if (parent is ISimpleAssignmentOperation { Target: ILocalReferenceOperation target })
        {
            flag = target.Local;
        }
        else
        {
            flag = invocation.Arguments.Select(a => a.Value).OfType<ILocalReferenceOperation>().FirstOrDefault(l => l.Local.Type.SpecialType == SpecialType.System_Boolean)?.Local;
        }

        if (flag is not null)
        {
            foreach (var reference in Operations.DescendantsInFunction(root).OfType<ILocalReferenceOperation>())
            {
                if (SymbolEqualityComparer.Default.Equals(reference.Local, flag) && reference.Syntax.SpanStart > invocation.Syntax.SpanStart)
                {
                    AddNotTaken(reference, spans);
                }
            }
        }

        return spans;
    }

    private static void AddNotTaken(IOperation condition, List<TextSpan> spans)
    {
        var negated = false;
        var current = condition;
        while (current.Parent is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } or IConversionOperation or IParenthesizedOperation)
        {
            negated ^= current.Parent is IUnaryOperation;
            current = current.Parent;
        }

        switch (current.Parent)
        {
            case IConditionalOperation conditional when conditional.Condition == current:
                if ((negated ? conditional.WhenTrue : conditional.WhenFalse) is { } notTaken)
                {
                    spans.Add(notTaken.Syntax.Span);
                }
                else if (!negated && Leaves(conditional.WhenTrue) && conditional.Parent is IBlockOperation block)
                {
                    // while (true) { if (Monitor.TryEnter(o)) break; await Task.Delay(10); }: the rest of the block runs
                    // only when the lock was not taken (review 60).
                    spans.Add(Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(conditional.Syntax.Span.End, block.Syntax.Span.End));
                }

                break;
            case IWhileLoopOperation loop when loop.Condition == current && negated && loop.Body is { } body:
                spans.Add(body.Syntax.Span);
                break;
        }
    }

    // Whether a branch always leaves its block: break, continue, return, goto or throw (alone or last in a block).
    private static bool Leaves(IOperation? branch) => branch switch
    {
        IBlockOperation block => block.Operations.Length > 0 && Leaves(block.Operations[block.Operations.Length - 1]),
        IBranchOperation or IReturnOperation { Kind: OperationKind.Return } => true,
        IExpressionStatementOperation { Operation: IThrowOperation } => true,
        _ => false,
    };

    // The first await that can suspend: one of a task complete when made (Task.CompletedTask) continues on this thread.
    // Since review 67 also one of a local or readonly field that only ever holds such tasks (`await done`, `await s_done`).
    private static IOperation? FirstAwait(IOperation root, CompleteFields fields) =>
        IsSuspending(root, fields) ? root : Operations.DescendantsInFunction(root).FirstOrDefault(o => IsSuspending(o, fields));

    private static bool IsSuspending(IOperation operation, CompleteFields fields) => Operations.IsAwait(operation) && !CompleteWhenMade.IsAwaitOfComplete(operation, fields);

    // The await expression, or the await keyword of await foreach / await using.
    private static Location AwaitLocation(IOperation awaited)
    {
        if (awaited is IAwaitOperation)
        {
            return awaited.Syntax.GetLocation();
        }

        var keyword = awaited.Syntax.DescendantTokens().FirstOrDefault(t => t.IsKind(SyntaxKind.AwaitKeyword));
        return keyword == default ? awaited.Syntax.GetLocation() : keyword.GetLocation();
    }
}
