using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Brigade.Analyzers.LockOrder;

/// <summary>
/// Walks one operation block once and summarises each function in it: where it takes locks and which functions of the
/// compilation it calls, each with the locks held at that point. Lambdas and local functions are summarised apart (they
/// run when called, not where they are written). Held locks: <c>lock</c> bodies, <c>using</c> of an acquisition (block
/// or declaration), and <c>Monitor.Enter</c>/<c>Lock.Enter</c>/<c>Acquire</c> up to the matching exit in the same block.
/// </summary>
internal sealed class LockWalker
{
    private readonly KnownSymbols _known;
    private readonly Action<FunctionSummary> _publish;

    /// <summary>Initializes a walker.</summary>
    /// <param name="known">The known types.</param>
    /// <param name="publish">Receives each function's summary.</param>
    public LockWalker(KnownSymbols known, Action<FunctionSummary> publish)
    {
        _known = known;
        _publish = publish;
    }

    /// <summary>Summarises a function's body and the functions nested in it.</summary>
    /// <param name="function">The function.</param>
    /// <param name="body">Its body.</param>
    public void WalkFunction(IMethodSymbol function, IOperation body)
    {
        var events = new List<LockEvent>();
        Walk(body, ImmutableArray<HeldLock>.Empty, events);
        if (events.Count > 0)
        {
            _publish(new FunctionSummary(FunctionSummary.Normalize(function), events));
        }
    }

    private void Walk(IOperation operation, ImmutableArray<HeldLock> held, List<LockEvent> events)
    {
        switch (operation)
        {
            case IAnonymousFunctionOperation lambda:
                WalkFunction(lambda.Symbol, lambda.Body);
                return;
            case ILocalFunctionOperation localFunction:
                if (localFunction.Body is { } localBody)
                {
                    WalkFunction(localFunction.Symbol, localBody);
                }

                return;
            case ILockOperation lockOperation:
                Walk(lockOperation.LockedValue, held, events);
                if (LockKey.TryGet(lockOperation.LockedValue, out var key))
                {
                    var location = lockOperation.LockedValue.Syntax.GetLocation();
                    events.Add(new LockEvent(key, null, location, held));
                    Walk(lockOperation.Body, held.Add(new HeldLock(key, location)), events);
                }
                else
                {
                    Walk(lockOperation.Body, held, events);
                }

                return;
            case IUsingOperation usingOperation:
                Walk(usingOperation.Resources, held, events);
                Walk(usingOperation.Body, TryGetAcquisition(usingOperation.Resources, out var taken) ? held.Add(taken!) : held, events);
                return;
            case IBlockOperation block:
                WalkBlock(block, held, events);
                return;
            case IInvocationOperation invocation:
                WalkChildren(invocation, held, events);
                if (AcquiredBy(invocation) is { } acquired)
                {
                    events.Add(new LockEvent(acquired, null, invocation.Syntax.GetLocation(), held));
                }
                else
                {
                    AddCall(invocation.TargetMethod, invocation, held, events);
                }

                return;
            case IObjectCreationOperation creation:
                WalkChildren(creation, held, events);
                if (creation.Constructor is { } constructor)
                {
                    AddCall(constructor, creation, held, events);
                }

                return;
            case IPropertyReferenceOperation property:
                WalkChildren(property, held, events);
                var accessor = property.Parent is IAssignmentOperation assignment && assignment.Target == property ? property.Property.SetMethod : property.Property.GetMethod;
                if (accessor is not null)
                {
                    AddCall(accessor, property, held, events);
                }

                return;
            default:
                WalkChildren(operation, held, events);
                return;
        }
    }

    private void WalkChildren(IOperation operation, ImmutableArray<HeldLock> held, List<LockEvent> events)
    {
        foreach (var child in operation.ChildOperations)
        {
            Walk(child, held, events);
        }
    }

    // Statements of a block in order: an acquisition outside a using (using declaration, Monitor.Enter, l.Acquire())
    // holds its lock for the statements after it, until a statement that releases it (Monitor.Exit, scope.Dispose()).
    private void WalkBlock(IBlockOperation block, ImmutableArray<HeldLock> held, List<LockEvent> events)
    {
        foreach (var statement in block.Operations)
        {
            Walk(statement, held, events);
            if (statement is IUsingDeclarationOperation declaration)
            {
                if (TryGetAcquisition(declaration.DeclarationGroup, out var taken))
                {
                    held = held.Add(taken!);
                }

                continue;
            }

            if (statement is IExpressionStatementOperation or IVariableDeclarationGroupOperation or ITryOperation)
            {
                foreach (var descendant in Operations.DescendantsInFunction(statement))
                {
                    if (descendant is not IInvocationOperation invocation)
                    {
                        continue;
                    }

                    if (statement is not ITryOperation && AcquiredBy(invocation) is { } acquired && !IsUsingResource(invocation))
                    {
                        held = held.Add(new HeldLock(acquired, invocation.Syntax.GetLocation()));
                    }
                    else if (ReleasedBy(invocation) is { } released)
                    {
                        held = held.RemoveAll(h => h.Key.Equals(released));
                    }
                    else if (invocation.TargetMethod.Name == "Dispose" && held.Length > 0
                        && (KnownSymbols.Is(invocation.Instance?.Type, _known.LockScope) || invocation.Instance?.Type?.ContainingType is { } outer && KnownSymbols.Is(outer, _known.Lock)))
                    {
                        // scope.Dispose(): the innermost lock taken outside a using.
                        held = held.RemoveAt(held.Length - 1);
                    }
                }
            }
        }
    }

    private static bool IsUsingResource(IOperation operation)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            if (current is IUsingOperation or IUsingDeclarationOperation)
            {
                return true;
            }

            if (current is IBlockOperation)
            {
                return false;
            }
        }

        return false;
    }

    private bool TryGetAcquisition(IOperation resources, out HeldLock? taken)
    {
        foreach (var operation in resources.DescendantsAndSelf())
        {
            if (operation is IInvocationOperation invocation && AcquiredBy(invocation) is { } key)
            {
                taken = new HeldLock(key, invocation.Syntax.GetLocation());
                return true;
            }
        }

        taken = null;
        return false;
    }

    // The lock a call takes: Monitor.Enter(x), x.Enter()/x.EnterScope() on System.Threading.Lock, x.Acquire...() on a
    // Brigade primitive. Try-forms with a timeout are left out: they cannot wait forever.
    private LockKey? AcquiredBy(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        IOperation? target = null;
        if (KnownSymbols.Is(method.ContainingType, _known.Monitor) && method.Name == "Enter" && invocation.Arguments.Length > 0)
        {
            target = invocation.Arguments[0].Value;
        }
        else if (KnownSymbols.Is(method.ContainingType, _known.Lock) && method.Name is "Enter" or "EnterScope")
        {
            target = invocation.Instance;
        }
        else if (_known.IsBrigadePrimitive(method.ContainingType) && method.Name.StartsWith("Acquire", StringComparison.Ordinal))
        {
            target = invocation.Instance;
        }

        return target is not null && LockKey.TryGet(target, out var key) ? key : null;
    }

    private LockKey? ReleasedBy(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        IOperation? target = null;
        if (KnownSymbols.Is(method.ContainingType, _known.Monitor) && method.Name == "Exit" && invocation.Arguments.Length > 0)
        {
            target = invocation.Arguments[0].Value;
        }
        else if (KnownSymbols.Is(method.ContainingType, _known.Lock) && method.Name == "Exit")
        {
            target = invocation.Instance;
        }

        return target is not null && LockKey.TryGet(target, out var key) ? key : null;
    }

    private static void AddCall(IMethodSymbol callee, IOperation call, ImmutableArray<HeldLock> held, List<LockEvent> events)
    {
        // Only functions with a body in this compilation can take locks the graph sees.
        if (callee.IsAbstract || callee.IsExtern || callee.DeclaringSyntaxReferences.IsEmpty)
        {
            return;
        }

        events.Add(new LockEvent(null, FunctionSummary.Normalize(callee), call.Syntax.GetLocation(), held));
    }
}
