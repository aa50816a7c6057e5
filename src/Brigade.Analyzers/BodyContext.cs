using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Brigade.Analyzers;

/// <summary>
/// Where a lambda, anonymous method or method group given as an argument runs: which API receives it, and with what
/// engine or options. Recognition is by symbol: the API's containing type and name.
/// </summary>
internal readonly struct BodyContext
{
    private BodyContext(BodyKind kind, IMethodSymbol api, IOperation call, EngineKind engine, bool isWrapper = false)
    {
        Kind = kind;
        Api = api;
        Call = call;
        Engine = engine;
        IsWrapper = isWrapper;
    }

    /// <summary>Gets whether the API is a method of the compilation that hands the body to a known one (<see cref="ParallelWrappers"/>).</summary>
    public bool IsWrapper { get; }

    /// <summary>Gets what runs the body.</summary>
    public BodyKind Kind { get; }

    /// <summary>Gets the method (or constructor) the body is given to.</summary>
    public IMethodSymbol Api { get; }

    /// <summary>Gets the invocation or object creation that receives the body.</summary>
    public IOperation Call { get; }

    /// <summary>Gets the engine of a Brigade run (<see cref="EngineKind.Auto"/> for other kinds).</summary>
    public EngineKind Engine { get; }

    /// <summary>Gets the API's name for messages, such as <c>Parallel.ForEach</c>.</summary>
    public string ApiName => Api.MethodKind switch
    {
        MethodKind.Constructor => "new " + Api.ContainingType.Name + "(...)",
        MethodKind.EventAdd => Api.ContainingType.Name + "." + Api.AssociatedSymbol?.Name,
        _ => (KnownName(Api.ContainingType) ?? Api.ContainingType.Name) + "." + Api.Name,
    };

    /// <summary>Gets whether the body runs concurrently with other runs of itself or of its siblings.</summary>
    public bool IsConcurrent => Kind switch
    {
        BodyKind.ParallelLoop or BodyKind.ParallelInvoke or BodyKind.Plinq or BodyKind.RequestHandler => true,
        BodyKind.Runner => Engine != EngineKind.Sequential,
        _ => false,
    };

    /// <summary>Gets whether the body runs on a thread of the thread pool.</summary>
    public bool IsOnThreadPool => Kind switch
    {
        BodyKind.ParallelLoop or BodyKind.ParallelInvoke or BodyKind.Plinq or BodyKind.PoolTask or BodyKind.RaceDetectorRun => true,
        BodyKind.Runner => Engine is EngineKind.ThreadPool or EngineKind.Async,
        _ => false,
    };

    /// <summary>Gets whether the body runs as a logical flow of Brigade's race detector.</summary>
    public bool IsRaceDetectorFlow => Kind is BodyKind.Runner or BodyKind.RaceDetectorRun or BodyKind.BrigadeTesting;

    /// <summary>Finds what a function (lambda, anonymous method or method reference) is given to.</summary>
    /// <param name="function">An <see cref="IAnonymousFunctionOperation"/> or an <see cref="IMethodReferenceOperation"/>.</param>
    /// <param name="known">The compilation's known types.</param>
    /// <param name="context">The context, when the function is an argument.</param>
    /// <returns>True if the function is an argument of an invocation or object creation.</returns>
    public static bool TryGet(IOperation function, KnownSymbols known, out BodyContext context)
    {
        context = default;
        var current = function.Parent;
        while (current is IDelegateCreationOperation or IConversionOperation or IParenthesizedOperation or IArrayInitializerOperation or IArrayCreationOperation)
        {
            current = current.Parent;
        }

        // timer.Elapsed += (s, e) => ...: a System.Timers.Timer's handler runs on the pool at each tick (review 63).
        if (current is IEventAssignmentOperation { Adds: true, EventReference: IEventReferenceOperation { Event: { AddMethod: { } add } handled } }
            && handled.Name == "Elapsed" && KnownSymbols.IsOrDerives(handled.ContainingType, known.TimersTimer))
        {
            context = new BodyContext(BodyKind.Timer, add, current, EngineKind.Auto);
            return true;
        }

        // app.Use(next => ctx => { ... }): the lambda the middleware's factory returns is the request delegate, run once
        // per request (the factory runs once, building the pipeline), review 66.
        if (current is IReturnOperation returned && RequestDelegateFactoryOf(returned) is { } use)
        {
            context = new BodyContext(BodyKind.RequestHandler, use.TargetMethod, use, EngineKind.Auto);
            return true;
        }

        if (current is not IArgumentOperation argument)
        {
            return false;
        }

        switch (argument.Parent)
        {
            case IInvocationOperation invocation:
                context = Of(invocation.TargetMethod, invocation.Arguments, invocation, argument, known);
                return true;
            case IObjectCreationOperation creation when creation.Constructor is not null:
                context = Of(creation.Constructor, creation.Arguments, creation, argument, known);
                return true;
            default:
                return false;
        }
    }

    // The call of IApplicationBuilder.Use(Func<RequestDelegate, RequestDelegate>) (or WebApplication's) whose lambda
    // returns this value, or null. By name: the tests' references, and a library's, have no ASP.NET Core.
    private static IInvocationOperation? RequestDelegateFactoryOf(IReturnOperation returned)
    {
        IOperation? current = returned.Parent;
        while (current is not null and not IAnonymousFunctionOperation && !Operations.IsNestedFunction(current))
        {
            current = current.Parent;
        }

        if (current is not IAnonymousFunctionOperation factory)
        {
            return null;
        }

        current = factory.Parent;
        while (current is IDelegateCreationOperation or IConversionOperation or IParenthesizedOperation)
        {
            current = current.Parent;
        }

        return current is IArgumentOperation { Parent: IInvocationOperation { TargetMethod: { Name: "Use", Parameters.Length: 1 } method } invocation }
            && method.ContainingType.ContainingNamespace?.ToDisplayString() == "Microsoft.AspNetCore.Builder"
            && method.Parameters[0].Type is INamedTypeSymbol { Name: "Func", Arity: 2 } factoryType
            && factoryType.TypeArguments.All(t => t.Name == "RequestDelegate" && t.ContainingNamespace?.ToDisplayString() == "Microsoft.AspNetCore.Http")
            ? invocation : null;
    }

    /// <summary>Classifies a known API (not the compilation's wrappers of it).</summary>
    /// <param name="method">The method or constructor.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="known">The known types.</param>
    /// <returns>What runs a body given to it.</returns>
    public static BodyKind ClassifyApi(IMethodSymbol method, System.Collections.Immutable.ImmutableArray<IArgumentOperation> arguments, KnownSymbols known) =>
        Classify(method, arguments, known, out _);

    private static BodyContext Of(IMethodSymbol method, System.Collections.Immutable.ImmutableArray<IArgumentOperation> arguments, IOperation call, IArgumentOperation argument, KnownSymbols known)
    {
        var kind = Classify(method, arguments, known, out var engine);
        if (kind == BodyKind.None && argument.Parameter is { } parameter && known.Wrappers?.KindOf(method, parameter) is { } wrapped and not BodyKind.None)
        {
            // CommonParallel.For(0, n, (a, b) => ...): a method of the compilation that hands the body to Parallel (review 47).
            return new BodyContext(wrapped, method, call, engine, isWrapper: true);
        }

        return new BodyContext(kind, method, call, engine);
    }

    /// <summary>Tests whether an operation sits in a loop of its own function, or in a lambda run once per element (<c>Select</c>).</summary>
    /// <param name="operation">The operation (a <c>Task.Run</c>, say).</param>
    /// <returns>True if it may run many times concurrently with itself.</returns>
    public static bool IsRepeated(IOperation operation)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case ILoopOperation:
                    return true;
                case IAnonymousFunctionOperation lambda:
                    return lambda.Parent is IDelegateCreationOperation { Parent: IArgumentOperation { Parent: IInvocationOperation invocation } }
                        && invocation.TargetMethod.Name is "Select" or "SelectMany" or "ForEach" or "ConvertAll";
                case ILocalFunctionOperation or IMethodBodyBaseOperation:
                    return false;
            }
        }

        return false;
    }

    private static BodyKind Classify(IMethodSymbol method, System.Collections.Immutable.ImmutableArray<IArgumentOperation> arguments, KnownSymbols known, out EngineKind engine)
    {
        engine = EngineKind.Auto;
        var type = method.ContainingType;
        if (KnownSymbols.Is(type, known.Parallel))
        {
            return method.Name == "Invoke" ? BodyKind.ParallelInvoke : BodyKind.ParallelLoop;
        }

        if (KnownSymbols.Is(type, known.ParallelEnumerable))
        {
            return BodyKind.Plinq;
        }

        if (KnownSymbols.Is(type, known.Task) && method.Name == "Run")
        {
            return BodyKind.PoolTask;
        }

        // new Task(() => ...) runs its body on the pool once started (Start()), unless LongRunning.
        if ((KnownSymbols.Is(type, known.Task) || KnownSymbols.Is(type, known.TaskOfT)) && method.MethodKind == MethodKind.Constructor)
        {
            return IsLongRunning(arguments, known) ? BodyKind.DedicatedThread : BodyKind.PoolTask;
        }

        if ((KnownSymbols.Is(type, known.TaskFactory) || KnownSymbols.Is(type, known.TaskFactoryOfT)) && method.Name == "StartNew")
        {
            return IsLongRunning(arguments, known) ? BodyKind.DedicatedThread : BodyKind.PoolTask;
        }

        if (KnownSymbols.Is(type, known.ThreadPool) && method.Name.EndsWith("QueueUserWorkItem", StringComparison.Ordinal))
        {
            return BodyKind.PoolTask;
        }

        if (KnownSymbols.Is(type, known.Thread) && method.MethodKind == MethodKind.Constructor)
        {
            return BodyKind.DedicatedThread;
        }

        // new Timer(callback, ...): the callback runs on the pool at each tick (review 63).
        if (KnownSymbols.Is(type, known.ThreadingTimer) && method.MethodKind == MethodKind.Constructor)
        {
            return BodyKind.Timer;
        }

        // app.MapGet("/", () => ...): one call per request, and requests run at once (review 64). By name: the tests'
        // references, and a library's, have no ASP.NET Core. A controller is not a body: ASP.NET Core makes one per request.
        if (method.Name is "Map" or "MapGet" or "MapPost" or "MapPut" or "MapDelete" or "MapPatch" or "MapMethods"
            && type.Name == "EndpointRouteBuilderExtensions" && type.ContainingNamespace?.ToDisplayString() == "Microsoft.AspNetCore.Builder")
        {
            return BodyKind.RequestHandler;
        }

        // app.Use(async (context, next) => ...), app.Run(async context => ...): middleware, run once per request (review 65).
        // Not IApplicationBuilder.Use(Func<RequestDelegate, RequestDelegate>), whose lambda runs once, building the pipeline.
        if (((method.Name == "Use" && type.Name == "UseExtensions") || (method.Name == "Run" && type.Name == "RunExtensions"))
            && type.ContainingNamespace?.ToDisplayString() == "Microsoft.AspNetCore.Builder")
        {
            return BodyKind.RequestHandler;
        }

        if (KnownSymbols.Is(type, known.Runner))
        {
            engine = EngineOf(arguments, known);
            return BodyKind.Runner;
        }

        if (KnownSymbols.Is(type, known.RaceDetector) && method.Name == "Run")
        {
            return BodyKind.RaceDetectorRun;
        }

        var ns = type.ContainingNamespace?.ToDisplayString();
        return ns is not null && (ns == "Brigade.Testing" || ns.StartsWith("Brigade.Testing.", StringComparison.Ordinal)) ? BodyKind.BrigadeTesting : BodyKind.None;
    }

    private static bool IsLongRunning(System.Collections.Immutable.ImmutableArray<IArgumentOperation> arguments, KnownSymbols known)
    {
        foreach (var argument in arguments)
        {
            if (KnownSymbols.Is(argument.Parameter?.Type, known.TaskCreationOptions)
                && argument.Value.ConstantValue is { HasValue: true, Value: int flags } && (flags & 2) != 0)
            {
                return true;
            }
        }

        return false;
    }

    private static EngineKind EngineOf(System.Collections.Immutable.ImmutableArray<IArgumentOperation> arguments, KnownSymbols known)
    {
        foreach (var argument in arguments)
        {
            if (argument.ArgumentKind != ArgumentKind.DefaultValue && KnownSymbols.Is(argument.Parameter?.Type, known.RunOptions))
            {
                return EngineOfOptions(argument.Value, known);
            }
        }

        return EngineKind.Auto;
    }

    private static EngineKind EngineOfOptions(IOperation options, KnownSymbols known)
    {
        options = Operations.SkipConversions(options);
        if (options is ILocalReferenceOperation local && options.SemanticModel is { } model)
        {
            // A local initialised with `new RunOptions { ... }` in the same method: read its initializer.
            foreach (var reference in local.Local.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax() is VariableDeclaratorSyntax { Initializer.Value: { } value } && value.SyntaxTree == model.SyntaxTree
                    && model.GetOperation(value) is { } initializer)
                {
                    options = Operations.SkipConversions(initializer);
                }
            }
        }

        if (options is not IObjectCreationOperation { Initializer: { } initializerList })
        {
            return EngineKind.Auto;
        }

        foreach (var member in initializerList.Initializers)
        {
            if (member is ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property.Name: "Engine" } } assignment)
            {
                var value = Operations.SkipConversions(assignment.Value);
                if (value is IPropertyReferenceOperation { Property.IsStatic: true } engine && KnownSymbols.Is(engine.Property.ContainingType, known.Engine))
                {
                    return engine.Property.Name switch
                    {
                        "Sequential" => EngineKind.Sequential,
                        "ThreadPool" => EngineKind.ThreadPool,
                        "Async" => EngineKind.Async,
                        "Threads" => EngineKind.Threads,
                        _ => EngineKind.Auto,
                    };
                }

                return value is IInvocationOperation { TargetMethod.Name: "CreateAuto" } ? EngineKind.Auto : EngineKind.Other;
            }
        }

        return EngineKind.Auto;
    }

    private static string? KnownName(INamedTypeSymbol type) => type.Name switch
    {
        "TaskFactory" => "Task.Factory",
        _ => null,
    };
}
