using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Brigade.Analyzers;

/// <summary>
/// BRG2002: a lost update in a body that runs concurrently (<c>Parallel.For/ForEach/ForAsync/ForEachAsync/Invoke</c>,
/// PLINQ, <c>Task.Run</c> or <c>new Thread</c> in a loop, a Brigade run's work): a captured local, a field or a static
/// written with <c>++</c>, <c>+=</c>, <c>??=</c> or assigned after being read, a non-thread-safe collection modified
/// (<c>List&lt;T&gt;.Add</c>, a <c>Dictionary</c> indexer set), with no lock around it. Interlocked calls, concurrent
/// collections, writes under <c>lock</c>/<c>Monitor</c>/a Brigade lock and variables declared in the body are fine.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
internal sealed class BRG2002LostUpdateAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The property naming the Interlocked method that fixes the write (Increment, Decrement, Add, Subtract).</summary>
    public const string InterlockedKey = "Interlocked";

    private static readonly ImmutableHashSet<string> s_collectionTypes = ImmutableHashSet.Create(
        StringComparer.Ordinal, "List`1", "Dictionary`2", "HashSet`1", "Queue`1", "Stack`1", "SortedDictionary`2", "SortedList`2", "SortedSet`1", "LinkedList`1");

    private static readonly ImmutableHashSet<string> s_mutators = ImmutableHashSet.Create(
        StringComparer.Ordinal, "Add", "AddRange", "Insert", "InsertRange", "Remove", "RemoveAt", "RemoveAll", "RemoveRange", "Clear", "TryAdd",
        "Enqueue", "Dequeue", "TryDequeue", "Push", "Pop", "TryPop", "AddFirst", "AddLast", "RemoveFirst", "RemoveLast", "Sort", "Reverse", "UnionWith", "ExceptWith", "IntersectWith");

    // A StringBuilder is not thread-safe either: concurrent Appends lose text or throw.
    private static readonly ImmutableHashSet<string> s_builderMutators = ImmutableHashSet.Create(
        StringComparer.Ordinal, "Append", "AppendLine", "AppendFormat", "AppendJoin", "Insert", "Remove", "Replace", "Clear");

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.BRG2002LostUpdate);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var known = KnownSymbols.Create(start.Compilation);
            start.RegisterOperationAction(c => AnalyzeBody(c, known), OperationKind.AnonymousFunction);
        });
    }

    private static bool IsConcurrentBody(IAnonymousFunctionOperation lambda, KnownSymbols known, out BodyContext body) =>
        BodyContext.TryGet(lambda, known, out body)
        && (body.IsConcurrent || (body.Kind is BodyKind.PoolTask or BodyKind.DedicatedThread && BodyContext.IsRepeated(body.Call) && !IsAwaitedAtOnce(body.Call)));

    // `await Task.Run(...)` in a loop runs one body at a time.
    private static bool IsAwaitedAtOnce(IOperation call)
    {
        var parent = call.Parent;
        while (parent is IConversionOperation or IInvocationOperation { TargetMethod.Name: "ConfigureAwait" })
        {
            parent = parent.Parent;
        }

        return parent is IAwaitOperation;
    }

    private static void AnalyzeBody(OperationAnalysisContext context, KnownSymbols known)
    {
        var lambda = (IAnonymousFunctionOperation)context.Operation;
        if (!IsConcurrentBody(lambda, known, out var body))
        {
            return;
        }

        var apiName = body.Kind is BodyKind.PoolTask or BodyKind.DedicatedThread ? body.ApiName + " in a loop" : body.ApiName;
        var siblings = body.Kind == BodyKind.ParallelInvoke ? SiblingReferences(lambda, body) : null;
        var reported = new HashSet<IOperation>();
        foreach (var operation in BodyOperations(lambda, known))
        {
            if (!TryGetUpdate(operation, lambda, out var target, out var root, out var what) || root is null || !reported.Add(operation))
            {
                continue;
            }

            if ((siblings is not null && !siblings.Contains(root)) || IsGuarded(operation, lambda, known))
            {
                continue;
            }

            if (what == "assigned after being read" && !IsReadBefore(root, target, operation, lambda))
            {
                continue;
            }

            var properties = ImmutableDictionary<string, string?>.Empty;
            if (InterlockedFix(operation) is { } fix)
            {
                properties = properties.Add(InterlockedKey, fix);
            }

            context.ReportDiagnostic(Diagnostic.Create(Descriptors.BRG2002LostUpdate, operation.Syntax.GetLocation(), properties, DisplayName(target, root), what, apiName));
        }

        // Writes a local function of the enclosing method makes when the body calls it, reported at the call.
        foreach (var operation in BodyOperations(lambda, known))
        {
            if (operation is IInvocationOperation { TargetMethod.MethodKind: MethodKind.LocalFunction } call
                && LocalFunctionUpdate(call, lambda, known) is { } update
                && (siblings is null || siblings.Contains(update.Root))
                && !IsGuarded(call, lambda, known))
            {
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.BRG2002LostUpdate, call.Syntax.GetLocation(), DisplayName(update.Target, update.Root), $"{update.What} by the local function {update.Function}, called", apiName));
            }
        }
    }

    // The body's operations, nested lambdas included (a LINQ selector runs in the body) except concurrent bodies of
    // their own, which are analyzed (and reported) on their own.
    private static IEnumerable<IOperation> BodyOperations(IAnonymousFunctionOperation lambda, KnownSymbols known)
    {
        var stack = new Stack<IOperation>();
        stack.Push(lambda.Body);
        while (stack.Count > 0)
        {
            var operation = stack.Pop();
            yield return operation;
            foreach (var child in operation.ChildOperations.Reverse())
            {
                if (child is IAnonymousFunctionOperation nested && IsConcurrentBody(nested, known, out _))
                {
                    continue;
                }

                stack.Push(child);
            }
        }
    }

    private static bool TryGetUpdate(IOperation operation, IOperation lambda, out IOperation target, out ISymbol? root, out string what)
    {
        root = null;
        what = "";
        target = operation;
        switch (operation)
        {
            case IIncrementOrDecrementOperation increment:
                target = increment.Target;
                what = increment.Kind == OperationKind.Increment ? "incremented" : "decremented";
                break;
            case ICompoundAssignmentOperation compound:
                target = compound.Target;
                what = "updated with " + OperatorText(compound.OperatorKind);
                break;
            case ICoalesceAssignmentOperation coalesce:
                target = coalesce.Target;
                what = "assigned if null (??=)";
                break;
            case ISimpleAssignmentOperation { IsRef: false } assignment when assignment.Parent is not IObjectOrCollectionInitializerOperation:
                target = assignment.Target;
                what = IsDictionaryIndexer(target) ? "set through the " + ((IPropertyReferenceOperation)target).Property.ContainingType.Name + " indexer" : "assigned after being read";
                break;
            case IInvocationOperation { Instance: { } instance } invocation when IsCollectionMutation(invocation.TargetMethod):
                target = instance;
                root = SharedRoot(instance, lambda, collection: true);
                what = "modified through " + invocation.TargetMethod.ContainingType.Name + "." + invocation.TargetMethod.Name + " (not thread-safe)";
                return root is not null;
            default:
                return false;
        }

        if (IsDictionaryIndexer(target))
        {
            root = SharedRoot(((IPropertyReferenceOperation)target).Instance!, lambda, collection: true);
            if (operation is not ISimpleAssignmentOperation)
            {
                what = "updated through the " + ((IPropertyReferenceOperation)target).Property.ContainingType.Name + " indexer";
            }

            return root is not null;
        }

        root = SharedRoot(target, lambda, collection: false);
        return root is not null;
    }

    // The shared variable a target writes: a captured local or parameter, a static field, a field or property of `this`
    // or of a shared object. Null when the target is local to the body (or unknown, such as a call's result).
    private static ISymbol? SharedRoot(IOperation target, IOperation lambda, bool collection)
    {
        target = Operations.SkipConversions(target);
        switch (target)
        {
            case ILocalReferenceOperation local:
                return IsDeclaredOutside(local.Local, lambda) ? local.Local : null;
            case IParameterReferenceOperation parameter:
                return IsDeclaredOutside(parameter.Parameter, lambda) ? parameter.Parameter : null;
            case IFieldReferenceOperation field:
                if (field.Field.IsConst || IsThreadStatic(field.Field))
                {
                    return null;
                }

                return field.Instance is null || InstanceIsShared(field.Instance, lambda) ? field.Field : null;
            case IPropertyReferenceOperation property when !property.Property.IsIndexer:
                if (!collection && IsThreadLocalValue(property.Property))
                {
                    return null;
                }

                return property.Instance is null || InstanceIsShared(property.Instance, lambda) ? property.Property : null;
            default:
                return null;
        }
    }

    private static bool InstanceIsShared(IOperation instance, IOperation lambda)
    {
        instance = Operations.SkipConversions(instance);
        return instance switch
        {
            IInstanceReferenceOperation => true,
            ILocalReferenceOperation local => IsDeclaredOutside(local.Local, lambda),
            IParameterReferenceOperation parameter => IsDeclaredOutside(parameter.Parameter, lambda),
            IFieldReferenceOperation field => field.Instance is null || InstanceIsShared(field.Instance, lambda),
            IPropertyReferenceOperation { Property.IsIndexer: false } property => property.Instance is null || InstanceIsShared(property.Instance, lambda),
            _ => false,
        };
    }

    private static bool IsDeclaredOutside(ISymbol symbol, IOperation lambda)
    {
        foreach (var reference in symbol.DeclaringSyntaxReferences)
        {
            if (reference.SyntaxTree == lambda.Syntax.SyntaxTree && lambda.Syntax.Span.Contains(reference.Span))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsThreadStatic(IFieldSymbol field)
    {
        foreach (var attribute in field.GetAttributes())
        {
            if (attribute.AttributeClass?.Name == "ThreadStaticAttribute")
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsThreadLocalValue(IPropertySymbol property) =>
        property.Name == "Value" && property.ContainingType.Name is "ThreadLocal" or "AsyncLocal";

    private static bool IsCollectionMutation(IMethodSymbol method) =>
        (s_mutators.Contains(method.Name) && IsNonThreadSafeCollection(method.ContainingType))
        || (s_builderMutators.Contains(method.Name) && method.ContainingType is { Name: "StringBuilder", ContainingNamespace: var ns } && ns.ToDisplayString() == "System.Text");

    private static bool IsNonThreadSafeCollection(ITypeSymbol type) =>
        type.ContainingNamespace?.ToDisplayString() == "System.Collections.Generic" && s_collectionTypes.Contains(type.OriginalDefinition.MetadataName);

    private static bool IsDictionaryIndexer(IOperation target) =>
        target is IPropertyReferenceOperation { Property.IsIndexer: true, Instance: not null } indexer
        && IsNonThreadSafeCollection(indexer.Property.ContainingType)
        && indexer.Property.ContainingType.OriginalDefinition.MetadataName is "Dictionary`2" or "SortedDictionary`2" or "SortedList`2";

    // A lock statement, a using of a lock, or a lock taken earlier in the body (Monitor.Enter ... finally Exit) guards it.
    private static bool IsGuarded(IOperation operation, IOperation lambda, KnownSymbols known)
    {
        IOperation child = operation;
        for (var current = operation.Parent; current is not null && current != lambda; child = current, current = current.Parent)
        {
            switch (current)
            {
                case ILockOperation:
                    return true;
                case IUsingOperation usingOperation when child != usingOperation.Resources && LockCalls.IsLockResource(usingOperation.Resources, known):
                    return true;
                case IBlockOperation block:
                    foreach (var statement in block.Operations)
                    {
                        if (statement == child)
                        {
                            break;
                        }

                        if (statement is IUsingDeclarationOperation declaration && LockCalls.IsLockResource(declaration.DeclarationGroup, known))
                        {
                            return true;
                        }
                    }

                    break;
            }
        }

        var position = operation.Syntax.SpanStart;
        foreach (var candidate in BodyOf(lambda).Descendants())
        {
            if (candidate is IInvocationOperation invocation && invocation.Syntax.SpanStart < position && LockCalls.IsKnownAcquire(invocation.TargetMethod, known))
            {
                return true;
            }
        }

        return false;
    }

    // "x = f(x)" or "if (x < v) x = v": the shared variable is read in the body before (or while) it is assigned.
    private static bool IsReadBefore(ISymbol root, IOperation target, IOperation assignment, IOperation lambda)
    {
        var position = assignment.Syntax.Span.End;
        foreach (var candidate in BodyOf(lambda).Descendants())
        {
            if (candidate == target || candidate.Syntax.SpanStart >= position || !SymbolEqualityComparer.Default.Equals(Referenced(candidate), root))
            {
                continue;
            }

            // A reference that is itself the target of a plain assignment is a write, not a read.
            if (candidate.Parent is ISimpleAssignmentOperation write && write.Target == candidate)
            {
                continue;
            }

            return true;
        }

        return false;
    }

    private static ISymbol? Referenced(IOperation operation) => operation switch
    {
        ILocalReferenceOperation local => local.Local,
        IParameterReferenceOperation parameter => parameter.Parameter,
        IFieldReferenceOperation field => field.Field,
        IPropertyReferenceOperation property => property.Property,
        _ => null,
    };

    // The captured variables each other action of the same Parallel.Invoke touches: an action's write races only with those.
    private static HashSet<ISymbol> SiblingReferences(IAnonymousFunctionOperation lambda, BodyContext body)
    {
        var references = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach (var other in body.Call.Descendants())
        {
            if (other is IAnonymousFunctionOperation sibling && sibling != lambda && !lambda.Syntax.Span.Contains(sibling.Syntax.Span))
            {
                foreach (var reference in sibling.Body.Descendants())
                {
                    if (Referenced(reference) is { } symbol)
                    {
                        references.Add(symbol);
                    }
                }
            }
        }

        return references;
    }

    private static string? InterlockedFix(IOperation operation)
    {
        if (operation.Parent is not IExpressionStatementOperation)
        {
            return null;
        }

        IOperation target;
        string method;
        switch (operation)
        {
            case IIncrementOrDecrementOperation increment:
                target = increment.Target;
                method = increment.Kind == OperationKind.Increment ? "Increment" : "Decrement";
                break;
            case ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Add or BinaryOperatorKind.Subtract } compound when !compound.IsChecked:
                target = compound.Target;
                method = compound.OperatorKind == BinaryOperatorKind.Add ? "Add" : "Subtract";
                break;
            default:
                return null;
        }

        if (target is not (ILocalReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation { Field.IsReadOnly: false }))
        {
            return null;
        }

        return target.Type?.SpecialType switch
        {
            SpecialType.System_Int32 or SpecialType.System_Int64 => method,
            SpecialType.System_UInt32 or SpecialType.System_UInt64 when method is "Increment" or "Decrement" or "Add" => method,
            _ => null,
        };
    }

    // The body of a concurrent lambda, or of a local function it calls.
    private static IOperation BodyOf(IOperation scope) => scope switch
    {
        IAnonymousFunctionOperation lambda => lambda.Body,
        ILocalFunctionOperation function => (IOperation?)function.Body ?? function,
        _ => scope,
    };

    // The lost update a call to a local function of the enclosing method makes (the function's captured variables,
    // statics and fields are shared by every concurrent call; its own locals and parameters are not): followed through
    // local functions it calls, a few levels deep.
    private static (IOperation Target, ISymbol Root, string What, string Function)? LocalFunctionUpdate(IInvocationOperation call, IAnonymousFunctionOperation lambda, KnownSymbols known)
    {
        var outermost = (IOperation)lambda;
        while (outermost.Parent is not null)
        {
            outermost = outermost.Parent;
        }

        var functions = outermost.Descendants().OfType<ILocalFunctionOperation>().ToList();
        var visited = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        var pending = new Queue<(IMethodSymbol Method, int Depth)>();
        pending.Enqueue((call.TargetMethod.OriginalDefinition, 0));
        while (pending.Count > 0)
        {
            var (method, depth) = pending.Dequeue();
            if (!visited.Add(method)
                || functions.FirstOrDefault(f => SymbolEqualityComparer.Default.Equals(f.Symbol, method)) is not { } function
                || lambda.Syntax.Span.Contains(function.Syntax.Span))
            {
                // Declared in the lambda: its body is walked with the lambda's.
                continue;
            }

            foreach (var operation in BodyOf(function).Descendants())
            {
                if (operation is IInvocationOperation { TargetMethod.MethodKind: MethodKind.LocalFunction } inner && depth < 3)
                {
                    pending.Enqueue((inner.TargetMethod.OriginalDefinition, depth + 1));
                    continue;
                }

                if (operation is IAnonymousFunctionOperation or ILocalFunctionOperation
                    || IsInNestedFunction(operation, function)
                    || !TryGetUpdate(operation, function, out var target, out var root, out var what) || root is null
                    || IsGuarded(operation, function, known)
                    || (what == "assigned after being read" && !IsReadBefore(root, target, operation, function)))
                {
                    continue;
                }

                return (target, root, what, function.Symbol.Name);
            }
        }

        return null;
    }

    // Inside a lambda or local function nested in the function (its own scope: reached through calls, or not at all).
    private static bool IsInNestedFunction(IOperation operation, IOperation function)
    {
        for (var current = operation.Parent; current is not null && current != function; current = current.Parent)
        {
            if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                return true;
            }
        }

        return false;
    }

    private static string DisplayName(IOperation target, ISymbol root) =>
        target is IPropertyReferenceOperation { Property.IsIndexer: true } ? root.Name + "[...]" : root.Name;

    private static string OperatorText(BinaryOperatorKind kind) => kind switch
    {
        BinaryOperatorKind.Add => "+=",
        BinaryOperatorKind.Subtract => "-=",
        BinaryOperatorKind.Multiply => "*=",
        BinaryOperatorKind.Divide => "/=",
        BinaryOperatorKind.Remainder => "%=",
        BinaryOperatorKind.Or => "|=",
        BinaryOperatorKind.And => "&=",
        BinaryOperatorKind.ExclusiveOr => "^=",
        BinaryOperatorKind.LeftShift => "<<=",
        BinaryOperatorKind.RightShift => ">>=",
        _ => "a compound assignment",
    };
}
