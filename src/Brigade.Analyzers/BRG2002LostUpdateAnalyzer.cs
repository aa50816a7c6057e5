using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace Brigade.Analyzers;

/// <summary>
/// BRG2002: a lost update in a body that runs concurrently (<c>Parallel.For/ForEach/ForAsync/ForEachAsync/Invoke</c>,
/// PLINQ, <c>Task.Run</c> or <c>new Thread</c> in a loop, a Brigade run's work, a periodic timer's callback (also a method
/// given by name, review 64b), a minimal-API handler (<c>app.MapGet(...)</c>, review 64) or middleware (<c>app.Use(...)</c>,
/// review 65); for its statics only, a SignalR hub method, a controller action (review 65) or a gRPC service method, review
/// 64b, and their own helpers they call (review 65); a singleton the compilation registers injected into any of these, and
/// the methods of it they call, one level (review 65), or into a Blazor Server component's method (review 66b); a gRPC
/// service method's own fields too when the service class is registered as a singleton, review 66b, and a hub method's
/// when the hub class is, review 66c; a Blazor Server component's or an Orleans grain's writes to statics, and a
/// component's to singletons and statics inside <c>InvokeAsync</c>, review 67): a captured local, a field or a static
/// written with <c>++</c>, <c>+=</c>, <c>??=</c> or assigned after being read, a non-thread-safe collection modified
/// (<c>List&lt;T&gt;.Add</c>, a <c>Dictionary</c> indexer set), with no lock around it. Interlocked calls, concurrent
/// collections, writes under <c>lock</c>/<c>Monitor</c>/a Brigade lock (held at the write: not released before it,
/// not on an object the body creates) and variables declared in the body (or, for a <c>Task.Run</c> in a loop, in the
/// loop's body) are fine.
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
            start.RegisterOperationAction(c => AnalyzeMethod(c, known), OperationKind.MethodBody);
        });
    }

    private static bool IsConcurrentBody(IAnonymousFunctionOperation lambda, KnownSymbols known, out BodyContext body) =>
        BodyContext.TryGet(lambda, known, out body)
        && (body.IsConcurrent || (body.Kind is BodyKind.PoolTask or BodyKind.DedicatedThread && BodyContext.IsRepeated(body.Call) && !IsAwaitedAtOnce(body.Call)
            && !IsAwaitedBeforeNext(body.Call) && !IsStartedOnOwnScheduler(body))
            || (body.Kind == BodyKind.Timer && Timers.IsPeriodic(body) && !Timers.GuardsItsTicks(lambda.Body))
            || AsyncSelect.StartedTogetherBy(lambda, body) is not null);

    // `op = Task.Run(...)` in a loop that awaits `op` before it, in a block around it (`await op; ... op = Task.Run(...)`):
    // each run starts once the previous one is over, one body at a time (review 48: Orleans' GrainDirectoryResilienceTests).
    private static bool IsAwaitedBeforeNext(IOperation call)
    {
        var parent = call.Parent;
        while (parent is IConversionOperation)
        {
            parent = parent.Parent;
        }

        if (parent is not ISimpleAssignmentOperation assignment || Referenced(assignment.Target) is not { } variable)
        {
            return false;
        }

        IOperation child = assignment;
        for (var current = assignment.Parent; current is not null and not ILoopOperation && !Operations.IsNestedFunction(current); child = current, current = current.Parent)
        {
            if (current is not IBlockOperation block)
            {
                continue;
            }

            foreach (var statement in block.Operations)
            {
                if (statement == child)
                {
                    break;
                }

                if (statement is IExpressionStatementOperation { Operation: IAwaitOperation awaited }
                    && Referenced(AwaitedTask(awaited.Operation)) is { } awaitedVariable && SymbolEqualityComparer.Default.Equals(awaitedVariable, variable))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static IOperation AwaitedTask(IOperation operand)
    {
        operand = Operations.SkipConversions(operand);
        return operand is IInvocationOperation { TargetMethod.Name: "ConfigureAwait", Instance: { } task } ? Operations.SkipConversions(task) : operand;
    }

    // `new Task(...)` in a method that starts tasks on a scheduler of its own (`task.Start(scheduler)`): that scheduler
    // decides what runs at once, not the pool (review 48: Orleans' activation scheduler runs one task at a time).
    private static bool IsStartedOnOwnScheduler(BodyContext body)
    {
        if (body.Api.MethodKind != MethodKind.Constructor)
        {
            return false;
        }

        var method = body.Call;
        while (method.Parent is { } parent)
        {
            method = parent;
        }

        foreach (var operation in method.Descendants())
        {
            if (operation is IInvocationOperation { TargetMethod: { Name: "Start", Parameters.Length: 1 } start } invocation
                && start.Parameters[0].Type.Name == "TaskScheduler" && start.ContainingType.Name == "Task"
                && Operations.SkipConversions(invocation.Arguments[0].Value) is not IPropertyReferenceOperation { Property.Name: "Default" })
            {
                return true;
            }
        }

        return false;
    }

    // `await Task.Run(...)` in a loop runs one body at a time. So does a task waited for before its iteration ends (review
    // 68): `Task.Run(...).Wait()`, `.GetAwaiter().GetResult()`, `.Result`, and `var t = Task.Run(...); ... await t;` (also
    // `t.Wait()`, a thread's `Join()`) by a later statement of the same block, with no jump or reassignment between.
    private static bool IsAwaitedAtOnce(IOperation call)
    {
        IOperation child = call;
        var parent = call.Parent;
        while (parent is IConversionOperation or IInvocationOperation { TargetMethod.Name: "ConfigureAwait" })
        {
            child = parent;
            parent = parent.Parent;
        }

        return parent is IAwaitOperation || IsWaitOn(parent, child) || IsWaitedLaterInItsBlock(call);
    }

    // A blocking wait for the whole task (or thread) that `task` is: Wait() or Wait(token), not with a timeout, which may
    // return first; GetAwaiter().GetResult(); Result; Join().
    private static bool IsWaitOn(IOperation? parent, IOperation task) => parent switch
    {
        IInvocationOperation { TargetMethod: { Name: "Wait" or "Join" } wait } invocation when invocation.Instance == task
            && wait.Parameters.All(p => p.Type.Name == "CancellationToken") => true,
        IInvocationOperation { TargetMethod.Name: "GetAwaiter", Parent: IInvocationOperation { TargetMethod.Name: "GetResult" } } awaiter when awaiter.Instance == task => true,
        IPropertyReferenceOperation { Property.Name: "Result" } result when result.Instance == task => true,
        _ => false,
    };

    // `var t = Task.Run(...);` (or `t = Task.Run(...);`) followed in its block by a statement that awaits or waits for `t`
    // unconditionally, before any jump (break, continue, return, goto, throw, yield) and any other assignment of `t`.
    private static bool IsWaitedLaterInItsBlock(IOperation call)
    {
        var current = call.Parent;
        while (current is IConversionOperation)
        {
            current = current.Parent;
        }

        ILocalSymbol? local;
        IOperation statement;
        switch (current)
        {
            case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator }
                when declarator.Parent is IVariableDeclarationOperation { Parent: IVariableDeclarationGroupOperation group }:
                (local, statement) = (declarator.Symbol, group);
                break;
            case ISimpleAssignmentOperation { Target: ILocalReferenceOperation target, Parent: IExpressionStatementOperation expression }:
                (local, statement) = (target.Local, expression);
                break;
            default:
                return false;
        }

        if (statement.Parent is not IBlockOperation block)
        {
            return false;
        }

        var after = false;
        foreach (var next in block.Operations)
        {
            if (!after)
            {
                after = next == statement;
                continue;
            }

            var waited = false;
            foreach (var operation in Operations.DescendantsInFunction(next))
            {
                switch (operation)
                {
                    case IBranchOperation or IThrowOperation or IReturnOperation:
                        return false;
                    case ILocalReferenceOperation reference when SymbolEqualityComparer.Default.Equals(reference.Local, local):
                        if (reference.Parent is ISimpleAssignmentOperation assignment && assignment.Target == reference)
                        {
                            return false;
                        }

                        waited |= IsUnconditionalWaitOf(reference, next);
                        break;
                }
            }

            if (waited)
            {
                return true;
            }
        }

        return false;
    }

    // `await t`, `await t.ConfigureAwait(false)` or a blocking wait of it, not under a condition of its statement.
    private static bool IsUnconditionalWaitOf(ILocalReferenceOperation reference, IOperation statement)
    {
        IOperation task = reference;
        var parent = reference.Parent;
        while (parent is IConversionOperation or IInvocationOperation { TargetMethod.Name: "ConfigureAwait" })
        {
            task = parent;
            parent = parent.Parent;
        }

        if (parent is not IAwaitOperation && !IsWaitOn(parent, task))
        {
            return false;
        }

        for (var current = parent; current is not null; current = current.Parent)
        {
            if (current is IConditionalOperation or IConditionalAccessOperation or ICoalesceOperation or ISwitchExpressionOperation or ISwitchOperation
                or ILoopOperation or ICatchClauseOperation or IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr })
            {
                return false;
            }

            if (current == statement)
            {
                return true;
            }
        }

        return false;
    }

    // A method whose body runs concurrently with itself though no lambda is given: an implementation run in parallel
    // bodies, a method given to a periodic timer by name, a SignalR hub method or a gRPC service method.
    private static void AnalyzeMethod(OperationAnalysisContext context, KnownSymbols known)
    {
        var method = (IMethodBodyOperation)context.Operation;
        if ((method.BlockBody is null && method.ExpressionBody is null) || context.ContainingSymbol is not IMethodSymbol symbol)
        {
            return;
        }

        // An implementation of an interface method that a generic method of the compilation runs in parallel bodies
        // (review 48: ImageSharp's row operations, `struct RowOperation : IRowOperation { public void Invoke(int y) ... }`,
        // run by ParallelRowIterator.IterateRows): its writes to `this`, to statics and to what its fields reference are
        // shared by every row; its locals and parameters are not.
        var body = (IOperation?)method.BlockBody ?? method.ExpressionBody!;
        if (known.Interfaces is { } interfaces && interfaces.TryGet(symbol, out var kind, out var runner)
            && kind is BodyKind.ParallelLoop or BodyKind.ParallelInvoke or BodyKind.Plinq)
        {
            ReportUpdates(context, body, new Scope(method, null, known), runner, null);
            return;
        }

        if (PerCallServices.Describe(symbol) is { Framework: "gRPC" or "SignalR" } found && known.Singletons.TryGet(symbol.ContainingType, out _))
        {
            // A gRPC service class registered itself as a singleton (`AddSingleton<GreeterService>()`, review 66b):
            // grpc-dotnet takes it from the container, one instance for every call, so its own fields are shared too.
            // So does SignalR with a hub class registered as a singleton (`AddSingleton<ChatHub>()`, review 66c): its
            // DefaultHubActivator asks the container for the hub class first, and makes one per invocation only when
            // the container has none.
            var shared = found.Framework == "SignalR"
                ? "SignalR (" + found.What + " of a hub registered as a singleton, every invocation at once)"
                : "gRPC (" + found.What + " of a service registered as a singleton, every call at once)";
            var scope = new Scope(method, null, known, injected: InjectedMembers(symbol.ContainingType, known)) { LazyInitIsBenign = true };
            ReportUpdates(context, body, scope, shared, null);
            ReportCalls(context, body, scope, shared, symbol.ContainingType);
            return;
        }

        if (PerCallServices.Of(symbol) is { } service)
        {
            // A new hub, controller or service instance per call: only statics, what they reference, and singletons
            // injected into it are shared (review 64b, 65); its own non-public methods it calls are read one level.
            var scope = new Scope(method, null, known, staticsOnly: true, InjectedMembers(symbol.ContainingType, known)) { LazyInitIsBenign = true };
            ReportUpdates(context, body, scope, service, null);
            ReportCalls(context, body, scope, service, symbol.ContainingType);
            return;
        }

        if (BlazorComponents.Of(symbol, known) is { } component)
        {
            // A Blazor Server component's method (review 66b): its own fields and its scoped services are its circuit's,
            // written one event at a time; the singletons injected into it (`[Inject]` properties, or its constructor's
            // parameters) are every circuit's, and so are statics (review 67: `s_online++`), its own or any class's.
            ReportComponentWrites(context, method, body, symbol.ContainingType, component, BlazorComponents.StaticsOf(symbol), known);
            return;
        }

        if (Timers.GivenByName(method, symbol, known, periodicOnly: true) is { } timer && !Timers.GuardsItsTicks(method))
        {
            ReportUpdates(context, body, new Scope(method, null, known), ApiName(timer, null), null);
            return;
        }

        if (!symbol.IsStatic && symbol.MethodKind is MethodKind.Ordinary or MethodKind.PropertyGet or MethodKind.PropertySet && OrleansGrains.IsGrain(symbol.ContainingType))
        {
            // An Orleans grain's method (review 67): its activation runs one turn at a time, so its own fields are safe
            // (also across the awaits of a [Reentrant] grain), but a static is one for every activation of the class (a
            // stateless worker has several per silo, a keyed grain one per key), whose turns run at once on the pool.
            var grain = "Orleans (grain method " + symbol.ContainingType.Name + "." + symbol.Name + "; a static is shared by every activation of the grain, whose turns run at once on the thread pool)";
            ReportUpdates(context, body, new Scope(method, null, known, staticsOnly: true) { LazyInitIsBenign = true }, grain, null);
        }
    }

    // Writes of a Blazor Server component's code (a method, or a lambda it hands to InvokeAsync) to what every circuit
    // shares: an injected singleton (review 66b), reported with its own message, and statics (review 67). Two scopes, so
    // that no write is found by both: a singleton reached through a static is read as a static.
    private static void ReportComponentWrites(OperationAnalysisContext context, IOperation function, IOperation body, INamedTypeSymbol type, string singletonApi, string staticApi, KnownSymbols known)
    {
        if (HasSingletonInjected(type, known))
        {
            var members = InjectedMembers(type, known);
            var scope = new Scope(function, null, known, staticsOnly: true, s => BlazorComponents.IsInjectedSingleton(s, type, known) || members(s), injectedOnly: true);
            ReportUpdates(context, body, scope, singletonApi, null);
            ReportCalls(context, body, scope, singletonApi, null);
        }

        ReportUpdates(context, body, new Scope(function, null, known, staticsOnly: true) { LazyInitIsBenign = true }, staticApi, null);
    }

    // A component with a singleton injected: an `[Inject]` property, or a constructor's parameter, of a registered type.
    private static bool HasSingletonInjected(INamedTypeSymbol type, KnownSymbols known)
    {
        foreach (var member in type.GetMembers())
        {
            if (BlazorComponents.IsInjectedSingleton(member, type, known)
                || (member is IMethodSymbol { MethodKind: MethodKind.Constructor, IsStatic: false } constructor && constructor.Parameters.Any(p => known.Singletons.TryGet(p.Type, out _))))
            {
                return true;
            }
        }

        return false;
    }

    private static string ApiName(BodyContext body, string? together) =>
        together is not null ? together + " of Select(async ...)"
        : body.Kind is BodyKind.PoolTask or BodyKind.DedicatedThread ? body.ApiName + " in a loop"
        : body.Kind == BodyKind.Timer && body.Api.MethodKind == MethodKind.Constructor ? body.ApiName + " with a period"
        : body.Kind == BodyKind.RequestHandler ? body.Api.Name + " (one call per request)"
        : body.ApiName;

    private static void AnalyzeBody(OperationAnalysisContext context, KnownSymbols known)
    {
        var lambda = (IAnonymousFunctionOperation)context.Operation;
        if (DispatcherOf(lambda) == Dispatcher.Blazor && context.ContainingSymbol is { ContainingType: { } owner } member
            && BlazorComponents.DispatchedIn(owner, member, known) is { } dispatched)
        {
            // A Blazor Server component's InvokeAsync(() => ...) (review 67): the circuit's dispatcher runs its work items
            // one at a time, so the component's own fields are safe there (review 66), but a singleton or a static is
            // written by every circuit's dispatcher at once, wherever the lambda is (a method, a timer's callback, an
            // event handler).
            ReportComponentWrites(context, lambda, lambda.Body, owner, dispatched.Singleton, dispatched.Static, known);
            return;
        }

        if (!IsConcurrentBody(lambda, known, out var body))
        {
            ReportAsyncLocalFunctionOfSelect(context, lambda, body, known);
            return;
        }

        // Async lambdas of a Select started together (Task.WhenAll): only what may run after the first await races (review 59).
        var together = AsyncSelect.StartedTogetherBy(lambda, body);
        var afterAwaitIn = together is null ? null : lambda;
        var apiName = ApiName(body, together);
        var siblings = body.Kind == BodyKind.ParallelInvoke ? SiblingReferences(lambda, body) : null;

        // A periodic timer's callback races with its own next tick: what a timer made in a loop captures of the loop is
        // still shared by the ticks of that timer (review 63).
        // A minimal-API handler's parameter of a type registered as a singleton is that one instance (review 65).
        // A request's handler, as an action or a hub method: lazy initialisation there stores equal values (review 68).
        var scope = new Scope(
            lambda, body.IsConcurrent || together is not null || body.Kind == BodyKind.Timer ? null : Scope.IterationOf(body.Call), known,
            injected: body.Kind == BodyKind.RequestHandler ? InjectedParameters(lambda, known) : null)
        {
            LazyInitIsBenign = body.Kind == BodyKind.RequestHandler,
        };
        ReportUpdates(context, lambda.Body, scope, apiName, siblings, afterAwaitIn);
        if (body.Kind == BodyKind.RequestHandler)
        {
            ReportCalls(context, lambda.Body, scope, apiName, null);
        }

        // Writes a local function of the enclosing method makes when the body calls it, reported at the call.
        var functions = new LocalFunctions(lambda, known);
        foreach (var operation in BodyOperations(lambda.Body, known))
        {
            if (operation is IInvocationOperation { TargetMethod.MethodKind: MethodKind.LocalFunction } call
                && functions.UpdateBy(call) is { } update
                && (siblings is null || siblings.Contains(update.Root))
                && (afterAwaitIn is null || AsyncSelect.MayRunAfterAnAwait(call, afterAwaitIn))
                && !IsGuarded(call, scope))
            {
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.BRG2002LostUpdate, call.Syntax.GetLocation(), DisplayName(update.Target, update.Root), $"{update.What} by the local function {update.Function}, called", apiName));
            }
        }
    }

    // `await Task.WhenAll(Enumerable.Range(0, n).Select(_ => WorkAsync()))` (review 67): a selector that only calls an
    // async local function starts one run of it per element, side by side after its first await, as the async lambdas of
    // review 59 are. What the function writes after that await to what it captures, to statics or to fields is shared by
    // the runs (reported at the write); its own locals and parameters are each run's.
    private static void ReportAsyncLocalFunctionOfSelect(OperationAnalysisContext context, IAnonymousFunctionOperation lambda, BodyContext body, KnownSymbols known)
    {
        if (SelectedAsyncLocalFunction(lambda, body) is not { Function.Body: { } functionBody } selected)
        {
            return;
        }

        var (target, function, together) = selected;

        // Two selectors of one function (`WhenAll(a.Select(_ => WorkAsync()))`, `WhenAll(b.Select(_ => WorkAsync()))`):
        // its writes are reported once, by the first of them in the method (review 68; each reported them before).
        foreach (var other in Operations.Root(lambda).Descendants().OfType<IAnonymousFunctionOperation>())
        {
            if (other.Syntax.SpanStart < lambda.Syntax.SpanStart
                && BodyContext.TryGet(other, known, out var otherBody) && SelectedAsyncLocalFunction(other, otherBody) is { Function: var first }
                && SymbolEqualityComparer.Default.Equals(first.Symbol, function.Symbol))
            {
                return;
            }
        }

        var apiName = together + " of Select(... => " + target.Name + "(...))";
        var scope = new Scope(function, null, known);
        foreach (var operation in BodyOperations(functionBody, known))
        {
            if (!TryGetUpdate(operation, scope, out var written, out var root, out var what) || root is null || IsGuarded(operation, scope)
                || !AsyncSelect.MayRunAfterAnAwait(operation, function)
                || (what == "assigned after being read" && !scope.IsReadBefore(root, operation)))
            {
                continue;
            }

            context.ReportDiagnostic(Diagnostic.Create(Descriptors.BRG2002LostUpdate, operation.Syntax.GetLocation(), DisplayName(written, root), what, apiName));
        }
    }

    // A selector that only calls an async local function, `_ => WorkAsync()`, whose runs a combinator starts together: the
    // function called, its declaration, and the combinator's name; null for any other lambda.
    private static (IMethodSymbol Target, ILocalFunctionOperation Function, string Together)? SelectedAsyncLocalFunction(IAnonymousFunctionOperation lambda, BodyContext body)
    {
        if (lambda.Symbol.IsAsync || body.Call is null
            || lambda.Body.Operations.Length != 1 || lambda.Body.Operations[0] is not IReturnOperation { ReturnedValue: { } returned }
            || Operations.SkipConversions(returned) is not IInvocationOperation
            {
                TargetMethod: { MethodKind: MethodKind.LocalFunction, IsAsync: true } target,
            }
            || Operations.Root(lambda).Descendants().OfType<ILocalFunctionOperation>().FirstOrDefault(f => SymbolEqualityComparer.Default.Equals(f.Symbol, target.OriginalDefinition)) is not { Body: not null } function
            || AsyncSelect.StartedTogetherByCall(lambda, body, function) is not { } together)
        {
            return null;
        }

        return (target, function, together);
    }

    private static void ReportUpdates(OperationAnalysisContext context, IOperation body, Scope scope, string apiName, HashSet<ISymbol>? siblings, IAnonymousFunctionOperation? afterAwaitIn = null)
    {
        var reported = new HashSet<IOperation>();
        foreach (var operation in BodyOperations(body, scope.Known))
        {
            if (!TryGetUpdate(operation, scope, out var target, out var root, out var what) || root is null || !reported.Add(operation))
            {
                continue;
            }

            if ((siblings is not null && !siblings.Contains(root)) || IsGuarded(operation, scope)
                || (afterAwaitIn is not null && !AsyncSelect.MayRunAfterAnAwait(operation, afterAwaitIn)))
            {
                continue;
            }

            if (what == "assigned after being read" && !scope.IsReadBefore(root, operation))
            {
                continue;
            }

            if (scope.LazyInitIsBenign && IsLazyInit(operation, root))
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
    }

    // Calls a request's entry point makes that write shared state (review 65), reported at the call: a method of the
    // compilation called on a singleton injected into it (the class registered, for an interface), whose writes to its
    // fields and statics are shared by every request; and, in a hub, controller or gRPC service, a non-public method of
    // its own type, whose statics are. One level: what the callee calls is not read.
    private static void ReportCalls(OperationAnalysisContext context, IOperation body, Scope scope, string apiName, INamedTypeSymbol? perCallType)
    {
        foreach (var operation in BodyOperations(body, scope.Known))
        {
            if (operation is IPropertyReferenceOperation property)
            {
                ReportAccessor(context, property, scope, apiName);
                continue;
            }

            if (operation is not IInvocationOperation { TargetMethod.MethodKind: MethodKind.Ordinary } call)
            {
                continue;
            }

            IMethodSymbol? callee = null;
            var staticsOnly = false;
            var label = "the singleton's method ";
            if (call.Instance is { } instance && SingletonOf(instance, scope) is { } singleton)
            {
                callee = Implementation(call.TargetMethod, singleton);
            }
            else if (perCallType is not null && call.Instance is null or IInstanceReferenceOperation
                && SymbolEqualityComparer.Default.Equals(call.TargetMethod.ContainingType, perCallType) && PerCallServices.Of(call.TargetMethod) is null)
            {
                (callee, staticsOnly, label) = (call.TargetMethod, true, "the method ");
            }

            if (callee is null || IsGuarded(call, scope)
                || scope.Known.Singletons.Callee(callee, staticsOnly, b => b is null ? null : FirstUpdate(b, new Scope(b, null, scope.Known, staticsOnly, staticsOnly ? scope.Injected : null), ownMethodsOf: staticsOnly ? null : callee))
                    is not ValueTuple<IOperation, ISymbol, string, string> update)
            {
                continue;
            }

            var what = $"{update.Item3} by {label}{callee.ContainingType.Name}.{callee.Name}{update.Item4}, called";
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.BRG2002LostUpdate, call.Syntax.GetLocation(), DisplayName(update.Item1, update.Item2), what, apiName));
        }
    }

    // A property of a singleton injected into the entry point, read or written (review 65b): its accessor is a method of
    // the singleton and read one level as one is, the getter for a read (`clock.Now`, whose getter does `_calls++`), the
    // setter for an assignment (`counter.Tracked = 6`, whose setter does `_changes++`), reported at the reference or the
    // assignment. `counter.Hits++`, `+=`, `??=` on the property are reported as writes of the property itself.
    private static void ReportAccessor(OperationAnalysisContext context, IPropertyReferenceOperation property, Scope scope, string apiName)
    {
        if (property.Instance is not { } instance || property.Parent is INameOfOperation || SingletonOf(instance, scope) is not { } singleton)
        {
            return;
        }

        IMethodSymbol? accessor;
        IOperation at = property;
        string how;
        switch (property.Parent)
        {
            case ISimpleAssignmentOperation assignment when assignment.Target == property:
                // Already reported as the property's own write when read before in the body.
                if (TryGetUpdate(assignment, scope, out _, out var root, out _) && root is not null && scope.IsReadBefore(root, assignment))
                {
                    return;
                }

                (accessor, at, how) = (property.Property.SetMethod, assignment, "set");
                break;
            case IAssignmentOperation { Target: var written } when written == property:
                return;
            case IIncrementOrDecrementOperation { Target: var stepped } when stepped == property:
                return;
            default:
                (accessor, how) = (property.Property.GetMethod, "read");
                break;
        }

        var callee = accessor is null ? null : Implementation(accessor, singleton);
        if (callee?.AssociatedSymbol is not IPropertySymbol implemented || IsGuarded(at, scope)
            || scope.Known.Singletons.Callee(callee, false, b => b is null ? null : FirstUpdate(b, new Scope(b, null, scope.Known, false, null), lazyFill: true, ownMethodsOf: callee))
                is not ValueTuple<IOperation, ISymbol, string, string> update)
        {
            return;
        }

        var what = $"{update.Item3} by the singleton's property {implemented.ContainingType.Name}.{implemented.Name}{update.Item4}, {how}";
        context.ReportDiagnostic(Diagnostic.Create(Descriptors.BRG2002LostUpdate, at.Syntax.GetLocation(), DisplayName(update.Item1, update.Item2), what, apiName));
    }

    // The first write of shared state in a called function (a singleton's method or accessor, a hub's own helper) not
    // under a lock, or null; with the name of its own method it was found in, when not in the function itself.
    // Lazy initialisation (`_regex ??= new Regex(...)`, `if (_name == null) _name = Compute();`) is not one: racing threads
    // store equal values, the .NET idiom of a benign race; unless what it makes is a new, empty collection (`_list ??= new
    // List<int>()`), which callers fill: the adds of a thread whose collection lost the race to be stored are lost. One
    // judgement for a method and a getter (review 66: a getter's `??=` of a list was not reported and a method's `??=` of
    // a Regex was). In a property's accessor (lazyFill), nor is any plain store whose value does not read the field, such
    // as a setter's store of `value` after comparing (`if (_motd == value) return; _motd = value;`): the last writer
    // wins, as a setter means (review 65b). A plain assignment whose value reads the field itself (`_n = _n + 1`) still
    // is, and in a method a check-then-act other than a null test (`if (v > _max) _max = v;`).
    // With ownMethodsOf (a singleton's method or accessor), a method of its class it calls on itself (`public int Read()
    // => Bump();`) is read too, one more level (review 66): its writes are the singleton's.
    private static (IOperation Target, ISymbol Root, string What, string Via)? FirstUpdate(IOperation function, Scope scope, bool lazyFill = false, IMethodSymbol? ownMethodsOf = null)
    {
        foreach (var operation in BodyOf(function).Descendants())
        {
            if (ownMethodsOf is not null && operation is IInvocationOperation { TargetMethod.MethodKind: MethodKind.Ordinary } call
                && !IsInNestedFunction(operation, function) && call.Instance is null or IInstanceReferenceOperation
                && SymbolEqualityComparer.Default.Equals(call.TargetMethod.ContainingType.OriginalDefinition, ownMethodsOf.ContainingType.OriginalDefinition)
                && !SymbolEqualityComparer.Default.Equals(call.TargetMethod.OriginalDefinition, ownMethodsOf.OriginalDefinition)
                && !IsGuarded(call, scope)
                && scope.Known.Singletons.BodyOf(call.TargetMethod.OriginalDefinition) is { } inner
                && FirstUpdate(inner, new Scope(inner, null, scope.Known, scope.StaticsOnly, null), lazyFill: false) is { } innerUpdate)
            {
                return (innerUpdate.Target, innerUpdate.Root, innerUpdate.What, " (in its method " + call.TargetMethod.Name + ")");
            }

            if (operation is IAnonymousFunctionOperation or ILocalFunctionOperation
                || IsInNestedFunction(operation, function)
                || !TryGetUpdate(operation, scope, out var target, out var root, out var what) || root is null
                || IsGuarded(operation, scope)
                || (what == "assigned after being read" && !scope.IsReadBefore(root, operation))
                || (lazyFill ? IsCacheFill(operation, root) : IsLazyInit(operation, root)))
            {
                continue;
            }

            return (target, root, what, "");
        }

        return null;
    }

    // `_x ??= Make()`, or a plain store to the field in the branch of an `if` that finds it null (`if (_x == null) _x =
    // Make();`, `is null`), whose value does not read the field.
    private static bool IsLazyInit(IOperation operation, ISymbol root)
    {
        if (operation is ICoalesceAssignmentOperation coalesce)
        {
            return !MakesCollection(coalesce.Value);
        }

        if (operation is not ISimpleAssignmentOperation assignment || IsDictionaryIndexer(assignment.Target) || Reads(assignment.Value, root)
            || MakesCollection(assignment.Value))
        {
            return false;
        }

        IOperation child = operation;
        for (var current = operation.Parent; current is not null && !Operations.IsNestedFunction(current); child = current, current = current.Parent)
        {
            if (current is IConditionalOperation conditional && child == conditional.WhenTrue && IsNullTest(conditional.Condition, root))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsNullTest(IOperation condition, ISymbol root)
    {
        condition = Operations.SkipConversions(condition);
        return condition switch
        {
            IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals } equals =>
                (IsNull(equals.RightOperand) && Referenced(Operations.SkipConversions(equals.LeftOperand)) is { } left && SymbolEqualityComparer.Default.Equals(left, root))
                || (IsNull(equals.LeftOperand) && Referenced(Operations.SkipConversions(equals.RightOperand)) is { } right && SymbolEqualityComparer.Default.Equals(right, root)),
            IIsPatternOperation { Pattern: IConstantPatternOperation { Value: var constant } } pattern =>
                IsNull(constant) && Referenced(Operations.SkipConversions(pattern.Value)) is { } tested && SymbolEqualityComparer.Default.Equals(tested, root),
            _ => false,
        };
    }

    // A new, empty collection or StringBuilder (`new List<int>()`, `new ConcurrentDictionary<K, V>(comparer)`, `[]`):
    // made to be filled by its callers. One made full (`new List<string>(names)`, `new() { ["a"] = 1 }`, `[a, b]`) and
    // then only read is the same list in either thread's hands.
    private static bool MakesCollection(IOperation value) => Operations.SkipConversions(value) switch
    {
        IObjectCreationOperation { Type: { } type, Initializer: null } creation => IsCollection(type)
            && !creation.Arguments.Any(a => a.Value.Type is { } argument && IsCollection(argument)),
        ICollectionExpressionOperation { Type: { } type, Elements.IsEmpty: true } => IsCollection(type),
        _ => false,
    };

    private static bool IsCollection(ITypeSymbol type) =>
        type is not IArrayTypeSymbol && type.SpecialType != SpecialType.System_String
        && (type.AllInterfaces.Any(i => i.SpecialType == SpecialType.System_Collections_IEnumerable) || type is { Name: "StringBuilder", ContainingNamespace: { Name: "Text", ContainingNamespace.Name: "System" } });

    private static bool IsNull(IOperation operation) => Operations.SkipConversions(operation).ConstantValue is { HasValue: true, Value: null };

    private static bool Reads(IOperation value, ISymbol root) => value.DescendantsAndSelf().Any(o => o switch
    {
        IFieldReferenceOperation field => SymbolEqualityComparer.Default.Equals(field.Field, root),
        IPropertyReferenceOperation property => SymbolEqualityComparer.Default.Equals(property.Property, root),
        _ => false,
    });

    private static bool IsCacheFill(IOperation operation, ISymbol root) => operation switch
    {
        ICoalesceAssignmentOperation coalesce => !MakesCollection(coalesce.Value),
        ISimpleAssignmentOperation { Value: var value } assignment when !IsDictionaryIndexer(assignment.Target) => !Reads(value, root) && !MakesCollection(value),
        _ => false,
    };

    // The class of the singleton an instance is, when it is one injected into the entry point (a handler's parameter, a
    // field of a hub or controller assigned from its constructor's parameter): the class registered, or the declared
    // class when the registration gives a factory.
    private static INamedTypeSymbol? SingletonOf(IOperation instance, Scope scope)
    {
        if (InjectedSymbol(Operations.SkipConversions(instance), scope) is not { } symbol)
        {
            return null;
        }

        var type = symbol switch
        {
            IParameterSymbol parameter => parameter.Type,
            IFieldSymbol field => field.Type,
            IPropertySymbol property => property.Type,
            _ => null,
        };
        return scope.Known.Singletons.TryGet(type, out var implementation) ? implementation ?? type as INamedTypeSymbol : null;
    }

    // The injected member or parameter an instance is: `c` (a handler's parameter), `_counter` or `this._counter`.
    private static ISymbol? InjectedSymbol(IOperation instance, Scope scope)
    {
        var symbol = instance switch
        {
            IParameterReferenceOperation parameter => parameter.Parameter,
            IFieldReferenceOperation { Instance: IInstanceReferenceOperation } field => field.Field,
            IPropertyReferenceOperation { Instance: IInstanceReferenceOperation, Property.IsIndexer: false } property => property.Property,
            _ => (ISymbol?)null,
        };
        return symbol is not null && scope.IsInjected(symbol) ? symbol : null;
    }

    // The method a call runs on an instance of a class: the class's implementation of an interface method or override
    // of a virtual one, or the method itself.
    private static IMethodSymbol? Implementation(IMethodSymbol method, INamedTypeSymbol type)
    {
        if (method.ContainingType.TypeKind == TypeKind.Interface)
        {
            return type.FindImplementationForInterfaceMember(method.OriginalDefinition) as IMethodSymbol;
        }

        if (!method.IsVirtual && !method.IsAbstract && !method.IsOverride)
        {
            return method;
        }

        for (var current = type; current is not null; current = current.BaseType)
        {
            foreach (var member in current.GetMembers(method.Name))
            {
                for (var candidate = member as IMethodSymbol; candidate is not null; candidate = candidate.OverriddenMethod)
                {
                    if (SymbolEqualityComparer.Default.Equals(candidate.OriginalDefinition, method.OriginalDefinition))
                    {
                        return (IMethodSymbol)member;
                    }
                }
            }
        }

        return method;
    }

    // A minimal-API handler's parameters that ASP.NET Core fills with a singleton: of a type the compilation registers
    // as one, not bound from the request by a [From...] attribute.
    private static Func<ISymbol, bool> InjectedParameters(IAnonymousFunctionOperation lambda, KnownSymbols known) =>
        symbol => symbol is IParameterSymbol parameter && SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, lambda.Symbol)
            && !parameter.GetAttributes().Any(a => a.AttributeClass?.Name is { } name && name.StartsWith("From", StringComparison.Ordinal) && name != "FromServicesAttribute")
            && known.Singletons.TryGet(parameter.Type, out _);

    // A hub's, controller's or service's fields and properties of a type registered as a singleton that its constructor
    // assigns from its parameter (`_counter = counter`, also `?? throw ...`, or `= counter` of a primary constructor), and
    // its primary constructor's parameters of such a type: the singleton, injected.
    private static Func<ISymbol, bool> InjectedMembers(INamedTypeSymbol type, KnownSymbols known)
    {
        var answers = new Dictionary<ISymbol, bool>(SymbolEqualityComparer.Default);
        return symbol =>
        {
            lock (answers)
            {
                if (!answers.TryGetValue(symbol, out var injected))
                {
                    answers[symbol] = injected = IsInjectedMember(symbol, type, known);
                }

                return injected;
            }
        };
    }

    private static bool IsInjectedMember(ISymbol symbol, INamedTypeSymbol type, KnownSymbols known)
    {
        var (memberType, owner) = symbol switch
        {
            IFieldSymbol field => (field.Type, field.ContainingType),
            IPropertySymbol property => (property.Type, property.ContainingType),
            IParameterSymbol { ContainingSymbol: IMethodSymbol { MethodKind: MethodKind.Constructor } constructor } parameter => (parameter.Type, constructor.ContainingType),
            _ => (null, null),
        };
        if (memberType is null || !SymbolEqualityComparer.Default.Equals(owner, type) || !known.Singletons.TryGet(memberType, out _))
        {
            return false;
        }

        if (symbol is IParameterSymbol)
        {
            // Captured in a method: a primary constructor's parameter.
            return true;
        }

        if (Operations.DeclaredInitializers(symbol).FirstOrDefault() is { } initializer)
        {
            return initializer is Microsoft.CodeAnalysis.CSharp.Syntax.IdentifierNameSyntax;
        }

        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            foreach (var constructor in reference.GetSyntax().ChildNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.ConstructorDeclarationSyntax>())
            {
                var parameters = new HashSet<string>(constructor.ParameterList.Parameters.Select(p => p.Identifier.ValueText), StringComparer.Ordinal);
                foreach (var assignment in constructor.DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.AssignmentExpressionSyntax>())
                {
                    var left = assignment.Left switch
                    {
                        Microsoft.CodeAnalysis.CSharp.Syntax.IdentifierNameSyntax name => name.Identifier.ValueText,
                        Microsoft.CodeAnalysis.CSharp.Syntax.MemberAccessExpressionSyntax { Expression: Microsoft.CodeAnalysis.CSharp.Syntax.ThisExpressionSyntax } access => access.Name.Identifier.ValueText,
                        _ => null,
                    };
                    var right = assignment.Right is Microsoft.CodeAnalysis.CSharp.Syntax.BinaryExpressionSyntax coalesce
                        && coalesce.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.CoalesceExpression) ? coalesce.Left : assignment.Right;
                    if (left == symbol.Name && right is Microsoft.CodeAnalysis.CSharp.Syntax.IdentifierNameSyntax value && parameters.Contains(value.Identifier.ValueText))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    // The body's operations, nested lambdas included (a LINQ selector runs in the body) except concurrent bodies of
    // their own, which are analyzed (and reported) on their own.
    private static IEnumerable<IOperation> BodyOperations(IOperation body, KnownSymbols known)
    {
        var stack = new Stack<IOperation>();
        stack.Push(body);
        while (stack.Count > 0)
        {
            var operation = stack.Pop();
            yield return operation;
            foreach (var child in operation.ChildOperations.Reverse())
            {
                if (child is IAnonymousFunctionOperation nested && (IsConcurrentBody(nested, known, out _) || IsDispatched(nested)))
                {
                    continue;
                }

                stack.Push(child);
            }
        }
    }

    // A lambda handed to a dispatcher that runs its work items one at a time on one thread, as a UI's does (review 66):
    // Blazor's renderer (`ComponentBase.InvokeAsync(() => { _ticks++; StateHasChanged(); })` in a timer's callback, the
    // pattern Blazor's docs give; `Dispatcher.InvokeAsync`), WPF's `Dispatcher.Invoke/BeginInvoke/InvokeAsync`, WinForms'
    // `Control.Invoke/BeginInvoke`. Its writes do not race with other runs of the body that hands it on.
    private static bool IsDispatched(IAnonymousFunctionOperation lambda) => DispatcherOf(lambda) != Dispatcher.None;

    // The dispatcher a lambda is handed to, if any.
    private static Dispatcher DispatcherOf(IAnonymousFunctionOperation lambda)
    {
        var current = lambda.Parent;
        while (current is IDelegateCreationOperation or IConversionOperation or IParenthesizedOperation)
        {
            current = current.Parent;
        }

        if (current is not IArgumentOperation { Parent: IInvocationOperation { TargetMethod: var method } })
        {
            return Dispatcher.None;
        }

        return (method.Name, method.ContainingType.Name, method.ContainingType.ContainingNamespace?.ToDisplayString()) switch
        {
            ("InvokeAsync", "ComponentBase" or "Dispatcher", "Microsoft.AspNetCore.Components") => Dispatcher.Blazor,
            ("Invoke" or "InvokeAsync" or "BeginInvoke", "Dispatcher", "System.Windows.Threading") => Dispatcher.Ui,
            ("Invoke" or "BeginInvoke", "Control", "System.Windows.Forms") => Dispatcher.Ui,
            _ => Dispatcher.None,
        };
    }

    private static bool TryGetUpdate(IOperation operation, Scope scope, out IOperation target, out ISymbol? root, out string what)
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
            case ICoalesceAssignmentOperation { Value.ConstantValue.HasValue: true }:
                // _header ??= "built once": every thread stores the same constant, nothing is lost (review 65b).
                return false;
            case ICoalesceAssignmentOperation coalesce:
                target = coalesce.Target;
                what = "assigned if null (??=)";
                break;
            case ISimpleAssignmentOperation { IsRef: false } assignment when assignment.Parent is not IObjectOrCollectionInitializerOperation:
                target = assignment.Target;
                what = IsDictionaryIndexer(target) ? "set through the " + ((IPropertyReferenceOperation)target).Property.ContainingType.Name + " indexer" : "assigned after being read";
                break;
            case IDeconstructionAssignmentOperation { Target: ITupleOperation tuple }:
                // (a, b) = (b, a + x): each element is assigned; the first shared one stands for the statement.
                foreach (var element in tuple.Elements)
                {
                    if (element is not (IDeclarationExpressionOperation or IDiscardOperation) && SharedRoot(element, scope, collection: false) is { } shared)
                    {
                        target = element;
                        root = shared;
                        what = "assigned after being read";
                        return true;
                    }
                }

                return false;
            case IInvocationOperation { Instance: { } instance } invocation when IsCollectionMutation(invocation.TargetMethod):
                target = instance;
                root = SharedRoot(instance, scope, collection: true);
                what = "modified through " + invocation.TargetMethod.ContainingType.Name + "." + invocation.TargetMethod.Name + " (not thread-safe)";
                return root is not null;
            default:
                return false;
        }

        if (IsDictionaryIndexer(target))
        {
            root = SharedRoot(((IPropertyReferenceOperation)target).Instance!, scope, collection: true);
            if (operation is not ISimpleAssignmentOperation)
            {
                what = "updated through the " + ((IPropertyReferenceOperation)target).Property.ContainingType.Name + " indexer";
            }

            return root is not null;
        }

        // `counts[w]++`, `counts[w] += n`, `counts[w] = counts[w] + 1` on a ConcurrentDictionary (review 68): the indexer's
        // get and set are each atomic, the update is not. A plain store (last writer wins) is not reported.
        if (target is IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } dictionary } concurrentIndexer && IsConcurrentDictionary(concurrentIndexer.Property.ContainingType)
            && operation is IIncrementOrDecrementOperation or ICompoundAssignmentOperation or ISimpleAssignmentOperation)
        {
            if (concurrentIndexer.Arguments.Length == 1 && IsParallelForIndex(concurrentIndexer.Arguments[0].Value))
            {
                // Parallel.For(0, n, i => totals[i] += x): one iteration per key, as an array's partitioned write.
                return false;
            }

            if (operation is ISimpleAssignmentOperation store)
            {
                if (Referenced(Operations.SkipConversions(dictionary)) is not { } variable
                    || !store.Value.DescendantsAndSelf().Any(o => Referenced(o) is { } read && SymbolEqualityComparer.Default.Equals(read, variable)))
                {
                    return false;
                }

                what = "assigned from its own value";
            }

            root = SharedRoot(dictionary, scope, collection: true);
            what += " through the ConcurrentDictionary indexer (a read, then a write; AddOrUpdate does both in one step)";
            return root is not null;
        }

        root = SharedRoot(target, scope, collection: false);
        return root is not null;
    }

    // The index parameter of the lambda given to Parallel.For/ForAsync: each value is one iteration's.
    private static bool IsParallelForIndex(IOperation key)
    {
        if (Operations.SkipConversions(key) is not IParameterReferenceOperation { Parameter: { Ordinal: 0 } index })
        {
            return false;
        }

        for (var current = key.Parent; current is not null; current = current.Parent)
        {
            if (current is IAnonymousFunctionOperation lambda && SymbolEqualityComparer.Default.Equals(lambda.Symbol, index.ContainingSymbol))
            {
                var call = lambda.Parent;
                while (call is IDelegateCreationOperation or IConversionOperation or IArgumentOperation)
                {
                    call = call.Parent;
                }

                return call is IInvocationOperation { TargetMethod: { Name: "For" or "ForAsync", ContainingType: { Name: "Parallel", ContainingNamespace: var ns } } }
                    && ns.ToDisplayString() == "System.Threading.Tasks";
            }
        }

        return false;
    }

    private static bool IsConcurrentDictionary(ITypeSymbol type) =>
        type.ContainingNamespace?.ToDisplayString() == "System.Collections.Concurrent" && type.OriginalDefinition.MetadataName == "ConcurrentDictionary`2";

    // The shared variable a target writes: a captured local or parameter, a static field, a field or property of `this`
    // or of a shared object. Null when the target is local to the body (or unknown, such as a call's result).
    private static ISymbol? SharedRoot(IOperation target, Scope scope, bool collection)
    {
        target = Operations.SkipConversions(target);
        if (scope.StaticsOnly)
        {
            return StaticRoot(target, collection, scope);
        }

        switch (target)
        {
            case ILocalReferenceOperation local:
                return scope.IsShared(local.Local) ? local.Local : null;
            case IParameterReferenceOperation parameter:
                return scope.IsShared(parameter.Parameter) ? parameter.Parameter : null;
            case IFieldReferenceOperation field:
                if (field.Field.IsConst || IsThreadStatic(field.Field))
                {
                    return null;
                }

                return field.Instance is null || InstanceIsShared(field.Instance, scope) ? field.Field : null;
            case IPropertyReferenceOperation property when !property.Property.IsIndexer:
                if (!collection && IsThreadLocalValue(property.Property))
                {
                    return null;
                }

                return property.Instance is null || InstanceIsShared(property.Instance, scope) ? property.Property : null;
            default:
                return null;
        }
    }

    // A static field or property, or a field or property of what one references (`s_stats.Count`) or of a singleton
    // injected (`_counter.Hits`, review 65); null otherwise.
    private static ISymbol? StaticRoot(IOperation target, bool collection, Scope scope) => target switch
    {
        _ when collection && InjectedSymbol(target, scope) is { } injected => injected,
        IFieldReferenceOperation field when !field.Field.IsConst && !IsThreadStatic(field.Field)
            && (field.Instance is null ? !scope.InjectedOnly : IsStaticOrInjected(field.Instance, scope)) => field.Field,
        IPropertyReferenceOperation { Property.IsIndexer: false } property when (collection || !IsThreadLocalValue(property.Property))
            && (property.Instance is null ? !scope.InjectedOnly : IsStaticOrInjected(property.Instance, scope)) => property.Property,
        _ => null,
    };

    private static bool IsStaticOrInjected(IOperation instance, Scope scope)
    {
        instance = Operations.SkipConversions(instance);
        return InjectedSymbol(instance, scope) is not null || StaticRoot(instance, collection: true, scope) is not null;
    }

    private static bool InstanceIsShared(IOperation instance, Scope scope)
    {
        instance = Operations.SkipConversions(instance);
        return instance switch
        {
            IInstanceReferenceOperation => true,
            ILocalReferenceOperation local => scope.IsShared(local.Local),
            IParameterReferenceOperation parameter => scope.IsShared(parameter.Parameter) || scope.IsInjected(parameter.Parameter),
            IFieldReferenceOperation field => field.Instance is null || InstanceIsShared(field.Instance, scope),
            IPropertyReferenceOperation { Property.IsIndexer: false } property => property.Instance is null || InstanceIsShared(property.Instance, scope),
            _ => false,
        };
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

    // A lock statement (on an object the body does not create), a using of a lock, or a lock taken earlier in the body
    // and not released since (Monitor.Enter ... finally Exit) guards it. The facts are computed once per body (Scope).
    private static bool IsGuarded(IOperation operation, Scope scope)
    {
        IOperation child = operation;
        for (var current = operation.Parent; current is not null && current != scope.Function; child = current, current = current.Parent)
        {
            switch (current)
            {
                case ILockOperation lockOperation when child != lockOperation.LockedValue && Operations.SkipConversions(lockOperation.LockedValue) is not IObjectCreationOperation:
                    return true;
                case IUsingOperation usingOperation when child != usingOperation.Resources && LockCalls.IsLockResource(usingOperation.Resources, scope.Known):
                    return true;
                case IBlockOperation block when scope.FirstLockDeclaration(block) < child.Syntax.SpanStart:
                    return true;
            }
        }

        return scope.LocksHeldAt(operation.Syntax.SpanStart) > 0;
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
            case IIncrementOrDecrementOperation increment when !increment.IsChecked:
                // checked: ++ throws on overflow where Interlocked.Increment wraps.
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

    // A reference that is written, not read: the target of a plain assignment or an element of a deconstruction's target.
    private static bool IsWriteTarget(IOperation reference) =>
        (reference.Parent is ISimpleAssignmentOperation write && write.Target == reference)
        || (reference.Parent is ITupleOperation tuple && tuple.Parent is IDeconstructionAssignmentOperation deconstruction && deconstruction.Target == tuple);

    /// <summary>
    /// The function a write is in (the concurrent lambda, or a local function it calls), where its per-iteration
    /// variables are, and the facts the checks need, computed once per function in one pass (not once per write).
    /// </summary>
    private sealed class Scope
    {
        private readonly TextSpan? _iteration;
        private readonly ImmutableArray<ILocalSymbol> _iterationLocals;
        private Dictionary<IBlockOperation, int>? _firstLockDeclaration;
        private Dictionary<ISymbol, int>? _firstRead;
        private int[] _lockPositions = [];
        private int[] _locksHeld = [];

        public Scope(IOperation function, (TextSpan Span, ImmutableArray<ILocalSymbol> Locals)? iteration, KnownSymbols known, bool staticsOnly = false, Func<ISymbol, bool>? injected = null, bool injectedOnly = false)
        {
            Function = function;
            Known = known;
            StaticsOnly = staticsOnly;
            Injected = injected;
            InjectedOnly = injectedOnly;
            _iteration = iteration?.Span;
            _iterationLocals = iteration?.Locals ?? ImmutableArray<ILocalSymbol>.Empty;
        }

        public IOperation Function { get; }

        // The parameters or members that hold a singleton injected into a request's entry point (review 65), or null.
        public Func<ISymbol, bool>? Injected { get; }

        public KnownSymbols Known { get; }

        // With StaticsOnly: only what an injected singleton references is shared, not statics (a Blazor component's
        // method, review 66b).
        public bool InjectedOnly { get; }

        // Only statics, and what they reference, are shared: the function runs on an instance of its own (a hub method).
        public bool StaticsOnly { get; }

        // Lazy initialisation of a static (`s_pattern ??= new Regex(...)`, not of an empty collection) is not reported: the
        // statics of a Blazor component or an Orleans grain (review 67), whose racing circuits or activations store equal
        // values, as a singleton's method's are (review 66); and, since review 68, what a controller action, a hub or gRPC
        // method or a minimal-API handler (middleware) initialises so, as their own helpers' were.
        public bool LazyInitIsBenign { get; init; }

        // The region whose variables are new on each repetition of a Task.Run (or new Thread) call: the body of the
        // innermost loop around it (and a foreach's iteration variables), or the lambda of a Select that repeats it.
        // A `for` loop's own variables are one for all iterations.
        public static (TextSpan Span, ImmutableArray<ILocalSymbol> Locals)? IterationOf(IOperation call)
        {
            for (var current = call.Parent; current is not null; current = current.Parent)
            {
                switch (current)
                {
                    case IForEachLoopOperation forEach:
                        return (forEach.Body.Syntax.Span, forEach.Locals);
                    case ILoopOperation loop:
                        return (loop.Body.Syntax.Span, ImmutableArray<ILocalSymbol>.Empty);
                    case IAnonymousFunctionOperation lambda:
                        return (lambda.Syntax.Span, ImmutableArray<ILocalSymbol>.Empty);
                    case ILocalFunctionOperation or IMethodBodyBaseOperation:
                        return null;
                }
            }

            return null;
        }

        // A singleton injected into the entry point: shared by every request though declared per call.
        public bool IsInjected(ISymbol symbol) => Injected?.Invoke(symbol) == true;

        // Shared: declared outside the function and, for a repeated Task.Run, outside the repeated region.
        public bool IsShared(ISymbol symbol)
        {
            foreach (var reference in symbol.DeclaringSyntaxReferences)
            {
                if (reference.SyntaxTree == Function.Syntax.SyntaxTree
                    && (Function.Syntax.Span.Contains(reference.Span) || (_iteration is { } iteration && iteration.Contains(reference.Span))))
                {
                    return false;
                }
            }

            return !(symbol is ILocalSymbol local && _iterationLocals.Contains(local, SymbolEqualityComparer.Default));
        }

        // The first using declaration of a lock among a block's statements, or int.MaxValue.
        public int FirstLockDeclaration(IBlockOperation block)
        {
            Compute();
            return _firstLockDeclaration!.TryGetValue(block, out var position) ? position : int.MaxValue;
        }

        // Locks taken (Monitor.Enter, SemaphoreSlim.Wait, ...) minus locks released before a position of the body.
        public int LocksHeldAt(int position)
        {
            Compute();
            var index = Array.BinarySearch(_lockPositions, position);
            var before = index >= 0 ? LowerBound(index, position) : ~index;
            return before == 0 ? 0 : _locksHeld[before - 1];
        }

        // "x = f(x)" or "if (x < v) x = v": the shared variable is read in the body before (or while) it is assigned.
        public bool IsReadBefore(ISymbol root, IOperation assignment)
        {
            Compute();
            return _firstRead!.TryGetValue(root, out var position) && position < assignment.Syntax.Span.End;
        }

        private int LowerBound(int index, int position)
        {
            while (index > 0 && _lockPositions[index - 1] == position)
            {
                index--;
            }

            return index;
        }

        private void Compute()
        {
            if (_firstRead is not null)
            {
                return;
            }

            var firstLockDeclaration = new Dictionary<IBlockOperation, int>();
            var firstRead = new Dictionary<ISymbol, int>(SymbolEqualityComparer.Default);
            var locks = new List<(int Position, int Delta)>();
            foreach (var operation in BodyOf(Function).Descendants())
            {
                switch (operation)
                {
                    // A throttle (`new SemaphoreSlim(3)`) lets several bodies in at once: not a lock (review 68).
                    case IInvocationOperation invocation when LockCalls.IsKnownAcquire(invocation.TargetMethod, Known) && !LockCalls.IsCountingSemaphore(invocation.Instance):
                        locks.Add((invocation.Syntax.SpanStart, 1));
                        break;
                    case IInvocationOperation invocation when LockCalls.IsKnownRelease(invocation.TargetMethod) && !LockCalls.IsEarlyRelease(invocation) && !LockCalls.IsCountingSemaphore(invocation.Instance):
                        locks.Add((invocation.Syntax.SpanStart, -1));
                        break;
                    case IUsingDeclarationOperation declaration when declaration.Parent is IBlockOperation block && LockCalls.IsLockResource(declaration.DeclarationGroup, Known):
                        if (!firstLockDeclaration.TryGetValue(block, out var existing) || declaration.Syntax.SpanStart < existing)
                        {
                            firstLockDeclaration[block] = declaration.Syntax.SpanStart;
                        }

                        break;
                }

                if (Referenced(operation) is { } symbol && !IsWriteTarget(operation)
                    && (!firstRead.TryGetValue(symbol, out var first) || operation.Syntax.SpanStart < first))
                {
                    firstRead[symbol] = operation.Syntax.SpanStart;
                }
            }

            locks.Sort((a, b) => a.Position.CompareTo(b.Position));
            _lockPositions = new int[locks.Count];
            _locksHeld = new int[locks.Count];
            var held = 0;
            for (var i = 0; i < locks.Count; i++)
            {
                held += locks[i].Delta;
                _lockPositions[i] = locks[i].Position;
                _locksHeld[i] = held;
            }

            _firstLockDeclaration = firstLockDeclaration;
            _firstRead = firstRead;
        }
    }

    /// <summary>
    /// The lost updates calls to local functions of the enclosing method make (the function's captured variables,
    /// statics and fields are shared by every concurrent call; its own locals and parameters are not): followed through
    /// local functions it calls, a few levels deep. The local functions are found once per body, each result is kept.
    /// </summary>
    private sealed class LocalFunctions
    {
        private readonly IAnonymousFunctionOperation _lambda;
        private readonly KnownSymbols _known;
        private readonly Dictionary<IMethodSymbol, (IOperation Target, ISymbol Root, string What, string Function)?> _updates = new(SymbolEqualityComparer.Default);
        private readonly Dictionary<IMethodSymbol, Scope> _scopes = new(SymbolEqualityComparer.Default);
        private Dictionary<IMethodSymbol, ILocalFunctionOperation>? _functions;

        public LocalFunctions(IAnonymousFunctionOperation lambda, KnownSymbols known)
        {
            _lambda = lambda;
            _known = known;
        }

        public (IOperation Target, ISymbol Root, string What, string Function)? UpdateBy(IInvocationOperation call)
        {
            var start = call.TargetMethod.OriginalDefinition;
            if (!_updates.TryGetValue(start, out var update))
            {
                _updates[start] = update = Find(start);
            }

            return update;
        }

        private (IOperation Target, ISymbol Root, string What, string Function)? Find(IMethodSymbol start)
        {
            if (_functions is null)
            {
                var outermost = (IOperation)_lambda;
                while (outermost.Parent is not null)
                {
                    outermost = outermost.Parent;
                }

                _functions = new Dictionary<IMethodSymbol, ILocalFunctionOperation>(SymbolEqualityComparer.Default);
                foreach (var function in outermost.Descendants().OfType<ILocalFunctionOperation>())
                {
                    _functions[function.Symbol.OriginalDefinition] = function;
                }
            }

            var visited = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
            var pending = new Queue<(IMethodSymbol Method, int Depth)>();
            pending.Enqueue((start, 0));
            while (pending.Count > 0)
            {
                var (method, depth) = pending.Dequeue();
                if (!visited.Add(method)
                    || !_functions.TryGetValue(method, out var function)
                    || _lambda.Syntax.Span.Contains(function.Syntax.Span))
                {
                    // Declared in the lambda: its body is walked with the lambda's.
                    continue;
                }

                if (!_scopes.TryGetValue(method, out var scope))
                {
                    _scopes[method] = scope = new Scope(function, null, _known);
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
                        || !TryGetUpdate(operation, scope, out var target, out var root, out var what) || root is null
                        || IsGuarded(operation, scope)
                        || (what == "assigned after being read" && !scope.IsReadBefore(root, operation)))
                    {
                        continue;
                    }

                    return (target, root, what, function.Symbol.Name);
                }
            }

            return null;
        }
    }

    // A UI's dispatcher is one for the application (WPF, WinForms); Blazor Server's renderer has one per circuit.
    private enum Dispatcher
    {
        None,
        Ui,
        Blazor,
    }
}
