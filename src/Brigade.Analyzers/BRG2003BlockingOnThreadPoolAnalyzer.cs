using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Brigade.Analyzers;

/// <summary>
/// BRG2003: a call that blocks its thread (<c>Thread.Sleep</c>, <c>.Result</c>, <c>.Wait()</c>,
/// <c>GetAwaiter().GetResult()</c>, synchronous file, socket and HTTP calls) where a thread of the pool runs it: in a
/// body of <c>Parallel.*</c>, <c>Task.Run</c> or PLINQ, in an async method or lambda, or in a Brigade run on
/// <c>Engine.ThreadPool</c>/<c>Engine.Async</c>; a wait on a task in a synchronous hub method, controller action, gRPC
/// service method, minimal-API handler or timer callback, which the pool runs too (review 65), or in a synchronous
/// Orleans grain method, which holds the activation's only turn (review 66b). The message names the thread: a pool thread for a body the pool runs, the
/// caller's or captured context's (a UI thread, say) for another async function (review 64b). A task already known complete (awaited before, checked with
/// <c>IsCompleted</c>, the antecedent of <c>ContinueWith</c>) does not block and is not reported.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
internal sealed class BRG2003BlockingOnThreadPoolAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The property naming the blocking kind (<see cref="BlockingCall.Kind"/>), for the code fix.</summary>
    public const string KindKey = "Kind";

    /// <summary>The property present when the call sits directly in an async function, so awaiting is possible.</summary>
    public const string AwaitableKey = "Awaitable";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.BRG2003BlockingOnThreadPool);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var known = KnownSymbols.Create(start.Compilation);
            var helpers = new CompletingHelpers(start.Compilation, known);
            var fields = new CompleteFields(start.Compilation);
            start.RegisterOperationBlockStartAction(block =>
            {
                // What is complete where is collected once per body, when its first blocking call needs it.
                var cache = new CompletionCache(helpers, fields);
                block.RegisterOperationAction(c => Analyze(c, known, cache), OperationKind.Invocation, OperationKind.PropertyReference);
            });
        });
    }

    private static void Analyze(OperationAnalysisContext context, KnownSymbols known, CompletionCache cache)
    {
        var kind = BlockingCall.Classify(context.Operation, known, out var name);
        if (kind == BlockingCall.Kind.None || !TryGetPoolContext(context.Operation, context.ContainingSymbol, known, out var where, out var awaitable, out var onPool, out var synchronous, out var grain))
        {
            return;
        }

        // In a synchronous request method or timer callback (review 65), waits on a task only: sync over async, which holds
        // a pool thread until other pool work completes the task. Synchronous I/O and sleeps there are ASP.NET Core's and
        // the timer's synchronous model, left alone.
        if (synchronous && !IsTaskWait(kind, context.Operation, known))
        {
            return;
        }

        if (kind is BlockingCall.Kind.Result or BlockingCall.Kind.Wait or BlockingCall.Kind.GetResult && IsKnownComplete(context.Operation, known, cache))
        {
            return;
        }

        if (IsSynchronousPath(context.Operation))
        {
            return;
        }

        var properties = ImmutableDictionary<string, string?>.Empty.Add(KindKey, kind.ToString());
        if (awaitable && HasAwaitRewrite(kind, context.Operation.Syntax))
        {
            properties = properties.Add(AwaitableKey, "true");
        }

        var location = context.Operation switch
        {
            IPropertyReferenceOperation property => property.Syntax.GetLocation(),
            IInvocationOperation invocation => invocation.Syntax.GetLocation(),
            _ => context.Operation.Syntax.GetLocation(),
        };
        // An async function not given to a pool API runs on its caller's thread and, after an await, on the context it
        // captured: a UI thread is as likely as a pool thread, and the message says what is known (review 64b).
        var thread = grain ? where
            : onPool ? "a thread-pool thread " + where : "the thread that runs the " + where + ": its caller's or, after an await, the captured context's (a UI thread, which it freezes, and deadlocks if the task needs that thread) or a thread-pool thread";
        var advice = grain ? "await its asynchronous form instead (make the grain method async)"
            : onPool ? "await its asynchronous form, or give blocking work to dedicated threads (Brigade's Engine.Threads)" : "await its asynchronous form instead";
        context.ReportDiagnostic(Diagnostic.Create(Descriptors.BRG2003BlockingOnThreadPool, location, properties, name, thread, advice));
    }

    // Walks out through the functions around the call: the first that is a pool body or async decides; a plain lambda
    // (a LINQ selector) runs where its caller runs, so the walk goes on; a dedicated thread, a local function or a
    // synchronous method stops it.
    // `where` is "in a body of X" for a body the pool runs (onPool), else the kind of async function ("async lambda").
    // `grain`: a synchronous method of an Orleans grain, and `where` says the whole of what it blocks (review 66b).
    private static bool TryGetPoolContext(IOperation operation, ISymbol containingSymbol, KnownSymbols known, out string where, out bool awaitable, out bool onPool, out bool synchronous, out bool grain)
    {
        grain = false;
        where = "";
        awaitable = false;
        onPool = true;
        synchronous = false;
        var nearest = true;
        var canAwait = true;
        var child = operation;
        for (var current = operation.Parent; current is not null; child = current, current = current.Parent)
        {
            switch (current)
            {
                case INameOfOperation:
                    // nameof(t.Result) names the property; nothing runs.
                    return false;
                case ILockOperation @lock when child == @lock.Body:
                case ICatchClauseOperation catchClause when child == catchClause.Filter:
                case IBlockOperation { Syntax.Parent: UnsafeStatementSyntax }:
                    // await is not allowed in a lock body (CS1996), a catch filter (CS7094) or an unsafe block (CS4004).
                    canAwait = false;
                    break;
                case IAnonymousFunctionOperation lambda:
                    var isArgument = BodyContext.TryGet(lambda, known, out var body);
                    if (isArgument && body.Kind != BodyKind.None)
                    {
                        if (body.Kind is BodyKind.DedicatedThread or BodyKind.BrigadeTesting || (body.Kind == BodyKind.Runner && !body.IsOnThreadPool))
                        {
                            return false;
                        }

                        // A lambda given to a timer that runs it on the pool, or to a minimal-API route or middleware
                        // (ASP.NET Core has no synchronization context): the pool runs it, before and after its awaits, and
                        // a synchronous one too (review 65).
                        if (body.IsOnThreadPool || body.Kind == BodyKind.RequestHandler || (body.Kind == BodyKind.Timer && Timers.RunsOnThreadPool(body)))
                        {
                            synchronous = !body.IsOnThreadPool && !lambda.Symbol.IsAsync;
                            awaitable = nearest && canAwait && lambda.Symbol.IsAsync;
                            where = body.Kind == BodyKind.Runner
                                ? "in the work of " + body.ApiName + " on Engine." + body.Engine
                                : "in a body of " + body.ApiName;
                            return true;
                        }
                    }

                    if (lambda.Symbol.IsAsync)
                    {
                        awaitable = nearest && canAwait;
                        where = "async lambda";
                        onPool = false;
                        return true;
                    }

                    // A synchronous lambda given to LINQ or a collection's ForEach runs where the call runs; one given to
                    // another method, or stored for later, runs wherever that code decides (its own thread, say).
                    if (!isArgument || !RunsInPlace(body.Api))
                    {
                        return false;
                    }

                    nearest = false;
                    break;
                case ILocalFunctionOperation localFunction:
                    awaitable = nearest && canAwait && localFunction.Symbol.IsAsync;
                    where = "async local function";
                    onPool = false;
                    return localFunction.Symbol.IsAsync;
            }
        }

        // A hub method, a controller action or a gRPC service method: ASP.NET Core runs it on the pool, synchronous or
        // async; a method given to a timer by name runs on the pool at each tick (review 65).
        if (containingSymbol is IMethodSymbol entry && PerCallServices.Describe(entry) is { } service)
        {
            awaitable = nearest && canAwait && entry.IsAsync && !IsUnsafeMember(entry);
            synchronous = !entry.IsAsync;
            where = "in the " + service.Framework + " " + service.What;
            return true;
        }

        if (containingSymbol is IMethodSymbol callback && Operations.Root(operation) is IMethodBodyOperation callbackBody
            && Timers.GivenByName(callbackBody, callback, known, periodicOnly: false) is { } timer && Timers.RunsOnThreadPool(timer))
        {
            awaitable = nearest && canAwait && callback.IsAsync && !IsUnsafeMember(callback);
            synchronous = !callback.IsAsync;
            where = "in a body of " + timer.ApiName;
            return true;
        }

        if (containingSymbol is IMethodSymbol { IsAsync: true } method)
        {
            awaitable = nearest && canAwait && !IsUnsafeMember(method);
            where = method.MethodKind == MethodKind.LambdaMethod ? "async lambda" : "async method";
            onPool = false;
            return true;
        }

        // A synchronous method of an Orleans grain (review 66b): Orleans runs one turn of an activation at a time, so a
        // wait on a task holds the activation (no other call to the grain runs) and deadlocks when the task needs the
        // grain. Task waits only, as in a synchronous request method; a static method may be called from anywhere.
        if (containingSymbol is IMethodSymbol { IsStatic: false, MethodKind: MethodKind.Ordinary or MethodKind.PropertyGet or MethodKind.PropertySet } grainMethod
            && OrleansGrains.IsGrain(grainMethod.ContainingType))
        {
            grain = true;
            synchronous = true;
            onPool = false;
            where = "the grain activation's turn in the Orleans grain method " + grainMethod.ContainingType.Name + "." + grainMethod.Name
                + ": no other call to the grain runs until it returns, and it deadlocks if the task needs the grain";
            return true;
        }

        // A method implementing an interface method a generic method of the compilation runs on the pool (review 48:
        // ImageSharp's row operations, run by ParallelRowIterator.IterateRows).
        if (containingSymbol is IMethodSymbol implementation && known.Interfaces is { } interfaces && interfaces.TryGet(implementation, out _, out var runner))
        {
            where = "in a body of " + runner;
            return true;
        }

        return false;
    }

    // .Result, .Wait(...), WaitAll/WaitAny, GetAwaiter().GetResult(): a wait on a task.
    private static bool IsTaskWait(BlockingCall.Kind kind, IOperation operation, KnownSymbols known) =>
        kind is BlockingCall.Kind.Result or BlockingCall.Kind.Wait or BlockingCall.Kind.WaitAll or BlockingCall.Kind.GetResult
        || (kind == BlockingCall.Kind.Other && operation is IInvocationOperation { TargetMethod.ContainingType: var type }
            && (KnownSymbols.Is(type, known.Task) || KnownSymbols.Is(type, known.TaskOfT)));

    // One method serving a synchronous and an asynchronous API, chosen by a flag (Npgsql, review 45; the BCL's and Azure
    // SDK's `bool async` pattern): `if (async) await stream.ReadAsync(...); else stream.Read(...);`, or `async ? await
    // t : t.GetAwaiter().GetResult()`. The blocking branch is the synchronous API's path: it runs on that API's caller's
    // thread, which asked to block. Recognised when the call sits in the branch taken when a bool parameter is false (or
    // true, under `!`) and the other branch awaits.
    private static bool IsSynchronousPath(IOperation operation)
    {
        var child = operation;
        for (var current = operation.Parent; current is not null && !Operations.IsNestedFunction(current); child = current, current = current.Parent)
        {
            if (current is not IConditionalOperation conditional || child == conditional.Condition)
            {
                continue;
            }

            var condition = Operations.SkipConversions(conditional.Condition);
            var negated = false;
            while (condition is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not)
            {
                negated = !negated;
                condition = Operations.SkipConversions(not.Operand);
            }

            if (condition is not IParameterReferenceOperation { Parameter.Type.SpecialType: SpecialType.System_Boolean })
            {
                continue;
            }

            var synchronous = negated ? conditional.WhenTrue : conditional.WhenFalse;
            var asynchronous = negated ? conditional.WhenFalse : conditional.WhenTrue;
            if (child == synchronous && asynchronous is not null
                && (Operations.SkipConversions(asynchronous) is IAwaitOperation || Operations.DescendantsInFunction(asynchronous).Any(o => o is IAwaitOperation)))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsUnsafeMember(IMethodSymbol method)
    {
        foreach (var reference in method.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax() is MemberDeclarationSyntax declaration && declaration.Modifiers.Any(SyntaxKind.UnsafeKeyword))
            {
                return true;
            }
        }

        return false;
    }

    // The shapes BRG2003AwaitCodeFix rewrites; a diagnostic of another shape (t?.Result, a generic twin) carries no
    // Awaitable property, so no fix is registered for it.
    private static bool HasAwaitRewrite(BlockingCall.Kind kind, SyntaxNode syntax) => (kind, syntax) switch
    {
        (BlockingCall.Kind.Result, MemberAccessExpressionSyntax) => true,
        (BlockingCall.Kind.Wait or BlockingCall.Kind.WaitAll, InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax }) => true,
        (BlockingCall.Kind.GetResult, InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Expression: InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax } } }) => true,
        (BlockingCall.Kind.Sleep, InvocationExpressionSyntax) => true,
        (BlockingCall.Kind.HasAsyncTwin, InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax or IdentifierNameSyntax }) => true,
        _ => false,
    };

    private static bool RunsInPlace(IMethodSymbol api)
    {
        var type = api.ContainingType;
        var ns = type.ContainingNamespace?.ToDisplayString();
        return (ns == "System.Linq" && type.Name == "Enumerable")
            || (ns == "System.Collections.Generic" && type.Name == "List" && api.Name is "ForEach" or "ConvertAll" or "Find" or "FindAll" or "Exists" or "TrueForAll" or "RemoveAll")
            || (ns == "System" && type.Name == "Array" && api.Name is "ForEach" or "ConvertAll" or "Find" or "FindAll" or "Exists" or "TrueForAll");
    }

    // A task awaited, waited for or guarded as complete (see TaskCompletion), or the antecedent of a continuation, is
    // complete: reading its result does not block.
    private static bool IsKnownComplete(IOperation operation, KnownSymbols known, CompletionCache cache)
    {
        var task = TaskOf(operation);
        if (task is null)
        {
            return false;
        }

        task = Operations.SkipConversions(task);
        if (task is IInvocationOperation { TargetMethod.Name: "FromResult" or "FromException" or "FromCanceled" } or IPropertyReferenceOperation { Property.Name: "CompletedTask" }
            || CompleteWhenMade.IsComplete(task))
        {
            return true;
        }

        // var done = Task.FromResult(42); ... done.Result  (review 65b): a local whose only value is a task complete
        // when made (since review 67 also one assigned again, each time with such a task).
        if (task is ILocalReferenceOperation { Local: var local } && CompleteWhenMade.HoldsOnlyCompleteTasks(local, Operations.Root(operation)))
        {
            return true;
        }

        // private readonly Task<int> _loaded = Task.FromResult(3); ... _loaded.Result  (review 66c): a readonly field
        // every assignment of which is a task complete when made.
        if (task is IFieldReferenceOperation { Field: var field } && cache.Fields.HoldsOnlyACompleteTask(field))
        {
            return true;
        }

        if (TaskCompletion.ReferencedSymbol(task) is IParameterSymbol { ContainingSymbol: IMethodSymbol { MethodKind: MethodKind.AnonymousFunction } lambdaSymbol } && IsContinuationAntecedent(operation, lambdaSymbol))
        {
            return true;
        }

        return cache.For(operation, known).IsComplete(operation, task);
    }

    private static IOperation? TaskOf(IOperation operation)
    {
        switch (operation)
        {
            case IPropertyReferenceOperation property:
                return property.Instance;
            case IInvocationOperation { TargetMethod.Name: "GetResult", Instance: { } awaiter }:
                // task.GetAwaiter().GetResult() or task.ConfigureAwait(false).GetAwaiter().GetResult()
                if (Operations.SkipConversions(awaiter) is not IInvocationOperation getAwaiter)
                {
                    // var awaiter = t.GetAwaiter(); if (awaiter.IsCompleted) return awaiter.GetResult();
                    return Operations.SkipConversions(awaiter) is ILocalReferenceOperation local ? local : null;
                }

                var source = getAwaiter.Instance is { } s ? Operations.SkipConversions(s) : null;
                return source is IInvocationOperation { TargetMethod.Name: "ConfigureAwait", Instance: { } configured } ? configured : source;
            case IInvocationOperation invocation:
                return invocation.Instance;
            default:
                return null;
        }
    }

    private static bool IsContinuationAntecedent(IOperation operation, IMethodSymbol lambdaSymbol)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            if (current is IAnonymousFunctionOperation lambda && SymbolEqualityComparer.Default.Equals(lambda.Symbol, lambdaSymbol))
            {
                var call = lambda.Parent;
                while (call is not null and not IInvocationOperation)
                {
                    call = call.Parent;
                }

                return call is IInvocationOperation { TargetMethod.Name: "ContinueWith" };
            }
        }

        return false;
    }

    // The completions of one operation block, built on first use; the actions of a block may run concurrently.
    private sealed class CompletionCache
    {
        private readonly object _gate = new();
        private IOperation? _root;
        private readonly CompletingHelpers _helpers;
        private TaskCompletion? _completion;

        public CompletionCache(CompletingHelpers helpers, CompleteFields fields)
        {
            _helpers = helpers;
            Fields = fields;
        }

        // The compilation's readonly fields holding only tasks complete when made.
        public CompleteFields Fields { get; }

        public TaskCompletion For(IOperation operation, KnownSymbols known)
        {
            var root = operation;
            while (root.Parent is not null)
            {
                root = root.Parent;
            }

            lock (_gate)
            {
                if (_completion is null || _root != root)
                {
                    // One root per block, but for a constructor's initializer or a parameter's default value.
                    _root = root;
                    _completion = TaskCompletion.Build(root, known, _helpers);
                }

                return _completion;
            }
        }
    }
}
