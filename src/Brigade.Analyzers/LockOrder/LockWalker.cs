using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Brigade.Analyzers.LockOrder;

/// <summary>
/// Walks one operation block once and summarises each function in it: where it takes locks and which functions of the
/// compilation it calls, each with the locks held at that point. Lambdas and local functions are summarised apart (they
/// run when called, not where they are written). Held locks: <c>lock</c> bodies, <c>using</c> of an acquisition (block
/// or declaration), and <c>Monitor.Enter</c>/<c>Lock.Enter</c>/<c>Acquire</c>/<c>SemaphoreSlim.Wait</c>/... up to the
/// matching exit in the same block, wherever it is in a statement (unless a return or jump follows it in its block),
/// or up to a call, as a statement, of a function that releases it without taking it (a release helper, decided at
/// compilation end through the functions it calls).
/// Read and upgradeable locks (<c>EnterReadLock</c>, Brigade's <c>AcquireRead</c>, <c>EnterUpgradeableReadLock</c>) are recorded with their mode.
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
        var state = new FunctionState();
        Walk(body, ImmutableArray<HeldLock>.Empty, state);

        // The locks a function releases (not early) and does not take itself: what a call to it, as a release helper, ends.
        var releases = state.Released ?? [];
        if (state.Taken is not null)
        {
            releases.ExceptWith(state.Taken);
        }

        if (state.Events.Count > 0 || releases.Count > 0)
        {
            _publish(new FunctionSummary(FunctionSummary.Normalize(function), state.Events, releases));
        }
    }

    private void Walk(IOperation operation, ImmutableArray<HeldLock> held, FunctionState state)
    {
        var events = state.Events;
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
                Walk(lockOperation.LockedValue, held, state);
                if (LockKey.TryGet(lockOperation.LockedValue, out var key))
                {
                    var location = lockOperation.LockedValue.Syntax.GetLocation();
                    events.Add(new LockEvent(key, null, location, held));
                    (state.Taken ??= []).Add(key);
                    Walk(lockOperation.Body, held.Add(new HeldLock(key, location)), state);
                }
                else
                {
                    Walk(lockOperation.Body, held, state);
                }

                return;
            case IUsingOperation usingOperation:
                Walk(usingOperation.Resources, held, state);
                Walk(usingOperation.Body, TryGetAcquisition(usingOperation.Resources, out var taken) ? held.Add(taken!) : held, state);
                return;
            case IBlockOperation block:
                WalkBlock(block, held, state);
                return;
            case IInvocationOperation invocation:
                WalkChildren(invocation, held, state);
                if (AcquiredBy(invocation, out var mode) is { } acquired)
                {
                    events.Add(new LockEvent(acquired, null, invocation.Syntax.GetLocation(), held, mode));
                    (state.Taken ??= []).Add(acquired);
                    state.LockCalls++;
                }
                else
                {
                    if (ReleasedBy(invocation) is { } released)
                    {
                        state.LockCalls++;
                        if (!LockCalls.IsEarlyRelease(invocation))
                        {
                            (state.Released ??= []).Add(released);
                        }
                    }

                    AddCall(invocation.TargetMethod, invocation, held, events);
                }

                return;
            case IObjectCreationOperation creation:
                WalkChildren(creation, held, state);
                if (creation.Constructor is { } constructor)
                {
                    AddCall(constructor, creation, held, events);
                }

                return;
            case IPropertyReferenceOperation property:
                WalkChildren(property, held, state);
                var accessor = property.Parent is IAssignmentOperation assignment && assignment.Target == property ? property.Property.SetMethod : property.Property.GetMethod;
                if (accessor is not null)
                {
                    AddCall(accessor, property, held, events);
                }

                return;
            default:
                WalkChildren(operation, held, state);
                return;
        }
    }

    private void WalkChildren(IOperation operation, ImmutableArray<HeldLock> held, FunctionState state)
    {
        foreach (var child in operation.ChildOperations)
        {
            Walk(child, held, state);
        }
    }

    // Statements of a block in order: an acquisition outside a using (using declaration, Monitor.Enter, l.Acquire())
    // holds its lock for the statements after it, until a statement that releases it (Monitor.Exit, scope.Dispose()).
    private void WalkBlock(IBlockOperation block, ImmutableArray<HeldLock> held, FunctionState state)
    {
        foreach (var statement in block.Operations)
        {
            var lockCalls = state.LockCalls;
            Walk(statement, held, state);
            if (statement is IUsingDeclarationOperation declaration)
            {
                if (TryGetAcquisition(declaration.DeclarationGroup, out var taken))
                {
                    held = held.Add(taken!);
                }

                continue;
            }

            // An acquisition counts from a statement of its own; a release ends the hold wherever it is in a statement
            // (in a finally, or `if (taken) Monitor.Exit(x);`).
            // With nothing held, only a statement that took a lock (the walk of it just counted one) changes what is held:
            // most statements are not looked at twice.
            var acquires = statement is IExpressionStatementOperation or IVariableDeclarationGroupOperation;
            if (held.IsEmpty && (!acquires || state.LockCalls == lockCalls))
            {
                continue;
            }

            foreach (var descendant in Operations.DescendantsInFunction(statement))
            {
                if (descendant is not IInvocationOperation invocation)
                {
                    continue;
                }

                if (acquires && AcquiredBy(invocation, out var mode) is { } acquired && !IsUsingResource(invocation))
                {
                    held = held.Add(new HeldLock(acquired, invocation.Syntax.GetLocation(), mode));
                }
                else if (ReleasedBy(invocation) is { } released && (!LockCalls.IsEarlyRelease(invocation) || LockCalls.BlockOf(invocation) == block))
                {
                    // An early release (`Monitor.Exit(x); ...; return;`) ends the hold for the rest of its own block, which
                    // the jump leaves; the code after that block still holds the lock (review 45, Npgsql's Break).
                    held = held.RemoveAll(h => h.Key.Equals(released));
                }
                else if (held.Length > 0 && IsStatementCall(invocation) && HasBody(invocation.TargetMethod) && !LockCalls.IsEarlyRelease(invocation))
                {
                    // Exit(); (in a finally, say): a release helper ends the hold; which functions release what is known
                    // only at compilation end, so the call is remembered with each lock held.
                    var releaser = FunctionSummary.Normalize(invocation.TargetMethod);
                    held = held.Select(h => h with { Releasers = new ReleaserChain(releaser, h.Releasers) }).ToImmutableArray();
                }
                else if (statement is IExpressionStatementOperation or IVariableDeclarationGroupOperation or ITryOperation
                    && invocation.TargetMethod.Name == "Dispose" && held.Length > 0
                    && (KnownSymbols.Is(invocation.Instance?.Type, _known.LockScope) || invocation.Instance?.Type?.ContainingType is { } outer && KnownSymbols.Is(outer, _known.Lock)))
                {
                    // scope.Dispose(): the innermost lock taken outside a using.
                    held = held.RemoveAt(held.Length - 1);
                }
            }
        }
    }

    // A call as a statement: `Exit();`, also awaited (`await ExitAsync();`, with ConfigureAwait).
    private static bool IsStatementCall(IInvocationOperation invocation)
    {
        IOperation current = invocation;
        while (current.Parent is IAwaitOperation or IConversionOperation
            || (current.Parent is IInvocationOperation { TargetMethod.Name: "ConfigureAwait" } configure && configure.Instance == current))
        {
            current = current.Parent;
        }

        return current.Parent is IExpressionStatementOperation;
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
            if (operation is IInvocationOperation invocation && AcquiredBy(invocation, out var mode) is { } key)
            {
                taken = new HeldLock(key, invocation.Syntax.GetLocation(), mode);
                return true;
            }
        }

        taken = null;
        return false;
    }

    // The lock a call takes: Monitor.Enter(x), x.Enter()/x.EnterScope() on System.Threading.Lock, x.Acquire...() on a
    // Brigade primitive, x.Wait()/x.WaitAsync() on a SemaphoreSlim used as a mutex, x.EnterWriteLock() or
    // x.EnterUpgradeableReadLock() on a ReaderWriterLockSlim, x.WaitOne() on a Mutex, x.Enter(ref taken) on a SpinLock;
    // as a reader: x.EnterReadLock() on a ReaderWriterLockSlim, x.AcquireRead...() on a Brigade primitive; as an
    // upgradeable reader: x.EnterUpgradeableReadLock(). Try-forms with a timeout are left out: they cannot wait forever.
    private LockKey? AcquiredBy(IInvocationOperation invocation, out LockMode mode)
    {
        var method = invocation.TargetMethod;
        IOperation? target = null;
        mode = LockMode.Exclusive;
        if (!method.Name.StartsWith("Enter", StringComparison.Ordinal) && !method.Name.StartsWith("Acquire", StringComparison.Ordinal)
            && method.Name is not ("Wait" or "WaitAsync" or "WaitOne"))
        {
            // Every call is asked: the names first, the symbols only for the few that may take a lock.
            return null;
        }

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
            mode = method.Name.StartsWith("AcquireRead", StringComparison.Ordinal) ? LockMode.Read : LockMode.Exclusive;
        }
        else if (IsThreading(method.ContainingType, "ReaderWriterLockSlim") && method.Name == "EnterReadLock")
        {
            target = invocation.Instance;
            mode = LockMode.Read;
        }
        else if (IsThreading(method.ContainingType, "ReaderWriterLockSlim") && method.Name == "EnterUpgradeableReadLock")
        {
            target = invocation.Instance;
            mode = LockMode.Upgradeable;
        }
        else if (IsThreading(method.ContainingType, "SemaphoreSlim") && method.Name is "Wait" or "WaitAsync"
            && method.Parameters.All(p => KnownSymbols.Is(p.Type, _known.CancellationToken)) && !IsCountingSemaphore(invocation.Instance))
        {
            target = invocation.Instance;
        }
        else if ((IsThreading(method.ContainingType, "ReaderWriterLockSlim") && method.Name == "EnterWriteLock")
            || (IsThreading(method.ContainingType, "SpinLock") && method.Name == "Enter")
            || (method.Name == "WaitOne" && method.Parameters.IsEmpty && IsThreading(invocation.Instance?.Type, "Mutex")))
        {
            target = invocation.Instance;
        }

        return target is not null && LockKey.TryGet(target, out var key) ? key : null;
    }

    private static bool IsThreading(ITypeSymbol? type, string name) =>
        type is INamedTypeSymbol { ContainingNamespace: { Name: "Threading", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } } named
        && named.Name == name;

    // A SemaphoreSlim whose declaration shows an initial count other than 1 (new SemaphoreSlim(4)) admits several
    // holders: not a mutex. One created elsewhere, or with a count the declaration does not show, is taken as a mutex.
    private static bool IsCountingSemaphore(IOperation? instance)
    {
        var member = (instance is null ? null : Operations.SkipConversions(instance)) switch
        {
            IFieldReferenceOperation field => (ISymbol)field.Field,
            IPropertyReferenceOperation property => property.Property,
            _ => null,
        };
        if (member is null)
        {
            return false;
        }

        foreach (var reference in member.DeclaringSyntaxReferences)
        {
            var initializer = reference.GetSyntax() switch
            {
                Microsoft.CodeAnalysis.CSharp.Syntax.VariableDeclaratorSyntax declarator => declarator.Initializer?.Value,
                Microsoft.CodeAnalysis.CSharp.Syntax.PropertyDeclarationSyntax property => property.Initializer?.Value,
                _ => null,
            };
            if (initializer is Microsoft.CodeAnalysis.CSharp.Syntax.BaseObjectCreationExpressionSyntax { ArgumentList.Arguments: { Count: > 0 } arguments }
                && arguments[0].Expression is Microsoft.CodeAnalysis.CSharp.Syntax.LiteralExpressionSyntax literal
                && literal.Token.Value is int count && count != 1)
            {
                return true;
            }
        }

        return false;
    }

    private LockKey? ReleasedBy(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        IOperation? target = null;
        if (!method.Name.StartsWith("Exit", StringComparison.Ordinal) && method.Name is not ("Release" or "ReleaseMutex"))
        {
            return null;
        }

        if (KnownSymbols.Is(method.ContainingType, _known.Monitor) && method.Name == "Exit" && invocation.Arguments.Length > 0)
        {
            target = invocation.Arguments[0].Value;
        }
        else if ((KnownSymbols.Is(method.ContainingType, _known.Lock) && method.Name == "Exit")
            || (IsThreading(method.ContainingType, "SemaphoreSlim") && method.Name == "Release")
            || (IsThreading(method.ContainingType, "ReaderWriterLockSlim") && method.Name is "ExitWriteLock" or "ExitUpgradeableReadLock" or "ExitReadLock")
            || (IsThreading(method.ContainingType, "SpinLock") && method.Name == "Exit")
            || (IsThreading(method.ContainingType, "Mutex") && method.Name == "ReleaseMutex"))
        {
            target = invocation.Instance;
        }

        return target is not null && LockKey.TryGet(target, out var key) ? key : null;
    }

    // Only functions with a body in this compilation can take (or release) locks the graph sees.
    private static bool HasBody(IMethodSymbol callee) => !callee.IsAbstract && !callee.IsExtern && !callee.DeclaringSyntaxReferences.IsEmpty;

    // What the walk of one function gathers: its events, the locks it takes and releases, and how many lock calls
    // (acquisitions and releases) it has met so far.
    private sealed class FunctionState
    {
        public List<LockEvent> Events { get; } = [];

        public HashSet<LockKey>? Taken { get; set; }

        public HashSet<LockKey>? Released { get; set; }

        public int LockCalls { get; set; }
    }

    private static void AddCall(IMethodSymbol callee, IOperation call, ImmutableArray<HeldLock> held, List<LockEvent> events)
    {
        if (!HasBody(callee))
        {
            return;
        }

        events.Add(new LockEvent(null, FunctionSummary.Normalize(callee), call.Syntax.GetLocation(), held));
    }
}
