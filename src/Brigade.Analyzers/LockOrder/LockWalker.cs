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
    public void WalkFunction(IMethodSymbol function, IOperation body) => Summarise(function, body);

    private FunctionState Summarise(IMethodSymbol function, IOperation body)
    {
        var state = new FunctionState(body);
        Walk(body, ImmutableArray<HeldLock>.Empty, state);

        // The locks a function releases (not early) and does not take itself: what a call to it, as a release helper, ends.
        var releases = state.Released ?? [];
        if (state.Taken is not null)
        {
            releases.ExceptWith(state.Taken);
        }

        if (state.Events.Count > 0 || releases.Count > 0 || state.LeaksThis)
        {
            _publish(new FunctionSummary(FunctionSummary.Normalize(function), state.Events, releases, state.LeaksThis));
        }

        return state;
    }

    private void Walk(IOperation operation, ImmutableArray<HeldLock> held, FunctionState state)
    {
        var events = state.Events;
        switch (operation)
        {
            case IAnonymousFunctionOperation lambda:
                // A lambda that uses `this` captures it: it may run anywhere.
                state.Captures(Summarise(lambda.Symbol, lambda.Body));
                return;
            case ILocalFunctionOperation localFunction:
                if (localFunction.Body is { } localBody)
                {
                    state.Captures(Summarise(localFunction.Symbol, localBody));
                }

                return;
            case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } instance:
                state.ReferencesThis = true;
                state.LeaksThis |= !IsReceiver(instance);
                return;
            case ILockOperation lockOperation:
                Walk(lockOperation.LockedValue, held, state);
                if (LockKey.TryGet(lockOperation.LockedValue, out var key))
                {
                    var location = lockOperation.LockedValue.Syntax.GetLocation();
                    var onThis = OwnerOf(lockOperation.LockedValue, key, state, out var fresh);
                    events.Add(new LockEvent(key, null, location, held, OnThis: onThis, Fresh: fresh));
                    (state.Taken ??= []).Add(key);
                    Walk(lockOperation.Body, held.Add(new HeldLock(key, location, Fresh: fresh)), state);
                }
                else
                {
                    Walk(lockOperation.Body, held, state);
                }

                return;
            case IUsingOperation usingOperation:
                Walk(usingOperation.Resources, held, state);
                Walk(usingOperation.Body, TryGetAcquisition(usingOperation.Resources, state, out var taken) ? held.Add(taken!) : held, state);
                return;
            case IBlockOperation block:
                WalkBlock(block, held, state);
                return;
            case IInvocationOperation invocation:
                WalkChildren(invocation, held, state);
                if (AcquiredBy(invocation, out var mode, out var lockTarget) is { } acquired)
                {
                    var onThis = OwnerOf(lockTarget!, acquired, state, out var fresh);
                    events.Add(new LockEvent(acquired, null, invocation.Syntax.GetLocation(), held, mode, onThis, fresh));
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

                    AddCall(invocation.TargetMethod, invocation, held, state, invocation.Instance);
                }

                return;
            case IObjectCreationOperation creation:
                WalkChildren(creation, held, state);
                if (creation.Constructor is { } constructor)
                {
                    // A constructor runs on the object just created: its own locks are that object's.
                    AddCall(constructor, creation, held, state, null, FreshCalls(creation, state));
                }

                return;
            case IPropertyReferenceOperation property:
                WalkChildren(property, held, state);
                var accessor = property.Parent is IAssignmentOperation assignment && assignment.Target == property ? property.Property.SetMethod : property.Property.GetMethod;
                if (accessor is not null)
                {
                    AddCall(accessor, property, held, state, property.Instance);
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
                if (TryGetAcquisition(declaration.DeclarationGroup, state, out var taken))
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

                if (acquires && AcquiredBy(invocation, out var mode, out var lockTarget) is { } acquired && !IsUsingResource(invocation))
                {
                    OwnerOf(lockTarget!, acquired, state, out var fresh);
                    held = held.Add(new HeldLock(acquired, invocation.Syntax.GetLocation(), mode, Fresh: fresh));
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

    private bool TryGetAcquisition(IOperation resources, FunctionState state, out HeldLock? taken)
    {
        foreach (var operation in resources.DescendantsAndSelf())
        {
            if (operation is IInvocationOperation invocation && AcquiredBy(invocation, out var mode, out var target) is { } key)
            {
                OwnerOf(target!, key, state, out var fresh);
                taken = new HeldLock(key, invocation.Syntax.GetLocation(), mode, Fresh: fresh);
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
    private LockKey? AcquiredBy(IInvocationOperation invocation, out LockMode mode, out IOperation? target)
    {
        var method = invocation.TargetMethod;
        target = null;
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
            && method.Parameters.All(p => KnownSymbols.Is(p.Type, _known.CancellationToken)) && !LockCalls.IsCountingSemaphore(invocation.Instance))
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

    private LockKey? AcquiredBy(IInvocationOperation invocation, out LockMode mode) => AcquiredBy(invocation, out mode, out _);

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
        private Dictionary<ILocalSymbol, ImmutableArray<IMethodSymbol>>? _fresh;

        public FunctionState(IOperation body) => Body = body;

        public IOperation Body { get; }

        public List<LockEvent> Events { get; } = [];

        /// <summary>Gets or sets a value indicating whether the function mentions <c>this</c> at all (a lambda capturing it).</summary>
        public bool ReferencesThis { get; set; }

        /// <summary>Gets or sets a value indicating whether the function may let <c>this</c> out (<see cref="FunctionSummary.LeaksThis"/>).</summary>
        public bool LeaksThis { get; set; }

        public void Captures(FunctionState nested)
        {
            if (nested.ReferencesThis)
            {
                ReferencesThis = true;
                LeaksThis = true;
            }
        }

        public ImmutableArray<IMethodSymbol> FreshCalls(ILocalSymbol local)
        {
            _fresh ??= new Dictionary<ILocalSymbol, ImmutableArray<IMethodSymbol>>(SymbolEqualityComparer.Default);
            if (!_fresh.TryGetValue(local, out var calls))
            {
                _fresh[local] = calls = FreshLocal(local, Body);
            }

            return calls;
        }

        public HashSet<LockKey>? Taken { get; set; }

        public HashSet<LockKey>? Released { get; set; }

        public int LockCalls { get; set; }
    }

    // A call of a function of the compilation. On `this`: its locks of its own instance are the caller's (or, called
    // on this from a method called on an object just created, that object's). On an object the function has just
    // created: its locks of its own instance are that object's. A method on `this` the compilation does not show (or
    // that an override may replace) may let `this` out.
    private static void AddCall(IMethodSymbol callee, IOperation call, ImmutableArray<HeldLock> held, FunctionState state, IOperation? instance, ImmutableArray<IMethodSymbol> fresh = default)
    {
        var receiver = instance is null ? null : Operations.SkipConversions(instance);
        var onThis = receiver is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } && !callee.IsStatic;
        if (onThis && (IsOverridable(callee) || (!HasBody(callee) && callee.ContainingType?.SpecialType != SpecialType.System_Object)))
        {
            state.LeaksThis = true;
        }

        if (!HasBody(callee))
        {
            return;
        }

        if (fresh.IsDefault && !onThis && receiver is not null)
        {
            fresh = FreshCalls(receiver, state);
        }

        state.Events.Add(new LockEvent(null, FunctionSummary.Normalize(callee), call.Syntax.GetLocation(), held, OnThis: onThis, Fresh: fresh));
    }

    // `this` reaching a member (`_x`, `this.M()`, `Prop`) or locked lets nothing out; anything else may (an argument,
    // an assignment, a return, a comparison: taken as letting it out).
    private static bool IsReceiver(IInstanceReferenceOperation instance)
    {
        var parent = instance.Parent;
        while (parent is IConversionOperation conversion && conversion.Parent is ILockOperation)
        {
            parent = conversion.Parent;
        }

        return parent switch
        {
            IFieldReferenceOperation field => field.Instance == instance,
            IPropertyReferenceOperation property => property.Instance == instance,
            IEventReferenceOperation @event => @event.Instance == instance,
            IInvocationOperation invocation => invocation.Instance == instance,
            ILockOperation => true,
            _ => false,
        };
    }

    private static bool IsOverridable(IMethodSymbol method) =>
        (method.IsVirtual || method.IsAbstract || method.IsOverride) && !method.IsSealed && method.ContainingType?.IsSealed != true;

    // Whose lock a lock expression with a key of a field or property is, when each instance has its own (a readonly
    // field or get-only auto-property given only `new ...()`): true for `this`'s; for an object the function has just
    // created (see FreshCalls), that object's calls in `fresh`. Any other lock: false, default.
    private static bool OwnerOf(IOperation lockExpression, LockKey key, FunctionState state, out ImmutableArray<IMethodSymbol> fresh)
    {
        fresh = default;
        var instance = Operations.SkipConversions(lockExpression) switch
        {
            IFieldReferenceOperation field => field.Instance,
            IPropertyReferenceOperation property => property.Instance,
            _ => null,
        };
        if (instance is null || !key.IsFieldOrProperty || !IsPerInstance(key.Symbol))
        {
            return false;
        }

        instance = Operations.SkipConversions(instance);
        if (instance is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance })
        {
            return true;
        }

        fresh = FreshCalls(instance, state);
        return false;
    }

    // An object the function has just created and not let out (review 46, Npgsql's `var c = new NpgsqlConnector(this);
    // c.DoCancelRequest(...)`): `new T(...)` itself, or a local of a class of the compilation declared `= new T(...)`,
    // never assigned again, used only to reach its members (not passed, stored, returned, captured by a lambda), whose
    // methods called are neither virtual nor declared elsewhere. Returns those methods (constructor first), which must
    // not let `this` out either (decided at compilation end); default for any other object.
    private static ImmutableArray<IMethodSymbol> FreshCalls(IOperation receiver, FunctionState state) => receiver switch
    {
        IObjectCreationOperation { Constructor: { } constructor, Initializer: null, Type.IsReferenceType: true } => ConstructorCalls(constructor),
        ILocalReferenceOperation local => state.FreshCalls(local.Local),
        _ => default,
    };

    private static ImmutableArray<IMethodSymbol> FreshLocal(ILocalSymbol local, IOperation body)
    {
        // Cheap tests first: most locals are not declared `= new T(...)` of a class of the compilation.
        if (local.IsRef || local.Type is not INamedTypeSymbol { TypeKind: TypeKind.Class } type || !type.Locations.Any(l => l.IsInSource)
            || local.DeclaringSyntaxReferences.Length != 1
            || local.DeclaringSyntaxReferences[0].GetSyntax() is not Microsoft.CodeAnalysis.CSharp.Syntax.VariableDeclaratorSyntax { Initializer.Value: Microsoft.CodeAnalysis.CSharp.Syntax.BaseObjectCreationExpressionSyntax })
        {
            return default;
        }

        var calls = ImmutableArray.CreateBuilder<IMethodSymbol>();
        var declared = false;
        foreach (var operation in body.DescendantsAndSelf())
        {
            if (operation is IVariableDeclaratorOperation declarator && SymbolEqualityComparer.Default.Equals(declarator.Symbol, local))
            {
                if (declared || declarator.Initializer?.Value is not { } value
                    || Operations.SkipConversions(value) is not IObjectCreationOperation { Constructor: { } constructor, Initializer: null }
                    || ConstructorCalls(constructor) is not { IsDefault: false } constructed)
                {
                    return default;
                }

                declared = true;
                calls.InsertRange(0, constructed);
            }
            else if (operation is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, local))
            {
                if (InNestedFunction(reference, body) || !IsMemberUse(reference, calls))
                {
                    return default;
                }
            }
        }

        return declared ? calls.ToImmutable() : default;
    }

    // The constructor a `new T(...)` runs, to be checked as not letting `this` out: empty for one the compiler supplies
    // over a base that is object (it runs only the field initializers, which cannot use `this`); default (not a fresh
    // object) for one declared elsewhere, or supplied over another base.
    private static ImmutableArray<IMethodSymbol> ConstructorCalls(IMethodSymbol constructor)
    {
        if (constructor.IsImplicitlyDeclared)
        {
            return constructor.ContainingType.BaseType?.SpecialType == SpecialType.System_Object ? ImmutableArray<IMethodSymbol>.Empty : default;
        }

        return HasBody(constructor) ? ImmutableArray.Create(FunctionSummary.Normalize(constructor)) : default;
    }

    private static bool InNestedFunction(IOperation operation, IOperation body)
    {
        for (var current = operation.Parent; current is not null && current != body; current = current.Parent)
        {
            if (Operations.IsNestedFunction(current))
            {
                return true;
            }
        }

        return false;
    }

    // A use of the new object that lets it out to nothing: reaching a field or event, calling a method or property of
    // the compilation that no override may replace (remembered in calls), or locking it.
    private static bool IsMemberUse(ILocalReferenceOperation reference, ImmutableArray<IMethodSymbol>.Builder calls)
    {
        switch (reference.Parent)
        {
            case IFieldReferenceOperation field when field.Instance == reference:
            case IEventReferenceOperation @event when @event.Instance == reference:
            case ILockOperation:
                return true;
            case IInvocationOperation invocation when invocation.Instance == reference:
                return Called(invocation.TargetMethod, calls);
            case IPropertyReferenceOperation property when property.Instance == reference:
                return (property.Property.GetMethod is null || Called(property.Property.GetMethod, calls))
                    && (property.Property.SetMethod is null || Called(property.Property.SetMethod, calls));
            default:
                return false;
        }

        static bool Called(IMethodSymbol method, ImmutableArray<IMethodSymbol>.Builder calls)
        {
            if (IsOverridable(method) || !HasBody(method))
            {
                return method.ContainingType?.SpecialType == SpecialType.System_Object && !IsOverridable(method);
            }

            calls.Add(FunctionSummary.Normalize(method));
            return true;
        }
    }

    // A lock object each instance has its own of: a readonly instance field, or a get-only auto-property, of a class,
    // given only new objects (`= new();` and, in constructors, `_sync = new object();`), never passed by reference.
    private static bool IsPerInstance(ISymbol? symbol)
    {
        if (symbol is not (IFieldSymbol { IsStatic: false, IsReadOnly: true } or IPropertySymbol { IsStatic: false, SetMethod: null, IsIndexer: false })
            || symbol.ContainingType is not { TypeKind: TypeKind.Class } type || symbol.DeclaringSyntaxReferences.Length != 1)
        {
            return false;
        }

        var creations = 0;
        switch (symbol.DeclaringSyntaxReferences[0].GetSyntax())
        {
            case Microsoft.CodeAnalysis.CSharp.Syntax.VariableDeclaratorSyntax { Initializer: var initializer }:
                if (initializer is not null && initializer.Value is not Microsoft.CodeAnalysis.CSharp.Syntax.BaseObjectCreationExpressionSyntax)
                {
                    return false;
                }

                creations += initializer is null ? 0 : 1;
                break;
            case Microsoft.CodeAnalysis.CSharp.Syntax.PropertyDeclarationSyntax { AccessorList: { } accessors, Initializer: { Value: Microsoft.CodeAnalysis.CSharp.Syntax.BaseObjectCreationExpressionSyntax } }
                when accessors.Accessors.All(a => a.Body is null && a.ExpressionBody is null):
                creations++;
                break;
            default:
                return false;
        }

        foreach (var constructor in type.InstanceConstructors)
        {
            foreach (var reference in constructor.DeclaringSyntaxReferences)
            {
                foreach (var node in reference.GetSyntax().DescendantNodes())
                {
                    if (node is Microsoft.CodeAnalysis.CSharp.Syntax.AssignmentExpressionSyntax assignment && Names(assignment.Left, symbol.Name))
                    {
                        if (assignment.Right is not Microsoft.CodeAnalysis.CSharp.Syntax.BaseObjectCreationExpressionSyntax)
                        {
                            return false;
                        }

                        creations++;
                    }
                    else if (node is Microsoft.CodeAnalysis.CSharp.Syntax.ArgumentSyntax { RefKindKeyword.RawKind: not 0 } argument && Names(argument.Expression, symbol.Name))
                    {
                        return false;
                    }
                }
            }
        }

        return creations > 0;

        static bool Names(Microsoft.CodeAnalysis.CSharp.Syntax.ExpressionSyntax expression, string name) => expression switch
        {
            Microsoft.CodeAnalysis.CSharp.Syntax.IdentifierNameSyntax identifier => identifier.Identifier.ValueText == name,
            Microsoft.CodeAnalysis.CSharp.Syntax.MemberAccessExpressionSyntax { Expression: Microsoft.CodeAnalysis.CSharp.Syntax.ThisExpressionSyntax, Name: var member } => member.Identifier.ValueText == name,
            _ => false,
        };
    }
}
