using System.Collections.Concurrent;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Brigade.Analyzers;

/// <summary>
/// The methods of a compilation that run a delegate they are given as <c>Parallel.*</c>, PLINQ, <c>Task.Run</c> or
/// <c>new Thread</c> do (review 47: Math.NET's <c>CommonParallel.For(0, n, (a, b) =&gt; ...)</c>, whose body is
/// <c>Parallel.ForEach(Partitioner.Create(from, to, size), range =&gt; body(range.Item1, range.Item2))</c>). A delegate
/// parameter handed to such an API, itself or inside a lambda that invokes it, or to another such wrapper of the
/// compilation, up to <see cref="MaxDepth"/> wrappers deep: a lambda given for that parameter is a body of that kind.
/// A pool task or thread started in a loop of the wrapper runs many bodies at once: a parallel loop. Each method and
/// parameter is read once per compilation.
/// </summary>
internal sealed class ParallelWrappers
{
    /// <summary>How many wrappers deep a delegate is followed (a wrapper, and the wrapper it hands the delegate to).</summary>
    public const int MaxDepth = 2;

    private readonly Compilation _compilation;
    private readonly KnownSymbols _known;
    private readonly ConcurrentDictionary<(IMethodSymbol Method, int Ordinal, int Depth), BodyKind> _kinds = new();

    /// <summary>Initializes the wrappers of a compilation.</summary>
    /// <param name="compilation">The compilation.</param>
    /// <param name="known">Its known types.</param>
    public ParallelWrappers(Compilation compilation, KnownSymbols known)
    {
        _compilation = compilation;
        _known = known;
    }

    /// <summary>Finds how a method of the compilation runs the delegate given for one of its parameters.</summary>
    /// <param name="method">The method called.</param>
    /// <param name="parameter">The parameter the delegate is given for.</param>
    /// <returns>The kind of body (<see cref="BodyKind.None"/> for most methods).</returns>
    public BodyKind KindOf(IMethodSymbol method, IParameterSymbol parameter) => KindOf(method, parameter.Ordinal, MaxDepth);

    private BodyKind KindOf(IMethodSymbol method, int ordinal, int depth)
    {
        method = (method.ReducedFrom ?? method).OriginalDefinition;
        if (depth == 0 || method.DeclaringSyntaxReferences.Length != 1 || ordinal >= method.Parameters.Length
            || !IsDelegate(method.Parameters[ordinal].Type)
            || !_compilation.ContainsSyntaxTree(method.DeclaringSyntaxReferences[0].SyntaxTree))
        {
            // Most calls stop here: only a method of the compilation taking a delegate is read.
            return BodyKind.None;
        }

        return _kinds.GetOrAdd((method, ordinal, depth), key => Read(key.Method, key.Ordinal, key.Depth));
    }

    private static bool IsDelegate(ITypeSymbol type) =>
        type.TypeKind == TypeKind.Delegate || (type is IArrayTypeSymbol { ElementType.TypeKind: TypeKind.Delegate });

    private BodyKind Read(IMethodSymbol method, int ordinal, int depth)
    {
        var syntax = method.DeclaringSyntaxReferences[0].GetSyntax();
#pragma warning disable RS1030 // The wrapper's body is in another tree than the code analysed, read once per compilation.
        var model = _compilation.GetSemanticModel(syntax.SyntaxTree);
#pragma warning restore RS1030
        var body = model.GetOperation(syntax);
        if (body is null)
        {
            return BodyKind.None;
        }

        var parameter = method.Parameters[ordinal];
        foreach (var operation in body.DescendantsAndSelf())
        {
            if (operation is not IParameterReferenceOperation reference || !SymbolEqualityComparer.Default.Equals(reference.Parameter, parameter))
            {
                continue;
            }

            // Handed on as it is: Parallel.ForEach(items, body), For(from, to, 64, body).
            var handed = HandedTo(reference, depth);
            if (handed == BodyKind.None
                && reference.Parent is IInvocationOperation { TargetMethod.MethodKind: MethodKind.DelegateInvoke } invoke
                && invoke.Instance == reference && EnclosingLambda(invoke) is { } lambda)
            {
                // Invoked in a lambda handed on: range => body(range.Item1, range.Item2).
                handed = HandedTo(lambda, depth);
            }

            if (handed != BodyKind.None)
            {
                return handed;
            }
        }

        return BodyKind.None;
    }

    // What runs a function (a parameter reference or a lambda) given as an argument: a known API, or a wrapper one
    // level less deep.
    private BodyKind HandedTo(IOperation function, int depth)
    {
        var current = function.Parent;
        while (current is IDelegateCreationOperation or IConversionOperation or IParenthesizedOperation or IArrayInitializerOperation or IArrayCreationOperation)
        {
            current = current.Parent;
        }

        if (current is not IArgumentOperation { Parameter: { } parameter } argument)
        {
            return BodyKind.None;
        }

        IOperation call;
        IMethodSymbol method;
        System.Collections.Immutable.ImmutableArray<IArgumentOperation> arguments;
        switch (argument.Parent)
        {
            case IInvocationOperation invocation:
                (call, method, arguments) = (invocation, invocation.TargetMethod, invocation.Arguments);
                break;
            case IObjectCreationOperation { Constructor: { } constructor } creation:
                (call, method, arguments) = (creation, constructor, creation.Arguments);
                break;
            default:
                return BodyKind.None;
        }

        var kind = BodyContext.ClassifyApi(method, arguments, _known);
        if (kind == BodyKind.None)
        {
            kind = KindOf(method, parameter.Ordinal, depth - 1);
        }

        // A Brigade run's engine, a flow of the race detector and a timer's schedule are the API's own: not followed through a wrapper.
        if (kind is BodyKind.Runner or BodyKind.RaceDetectorRun or BodyKind.BrigadeTesting or BodyKind.Timer or BodyKind.None)
        {
            return BodyKind.None;
        }

        // for (...) Task.Run(() => body(i)): many pool tasks at once, a parallel loop.
        if (kind is BodyKind.PoolTask or BodyKind.DedicatedThread && BodyContext.IsRepeated(call))
        {
            kind = kind == BodyKind.PoolTask ? BodyKind.ParallelLoop : BodyKind.DedicatedThread;
        }

        return kind;
    }

    private static IAnonymousFunctionOperation? EnclosingLambda(IOperation operation)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case IAnonymousFunctionOperation lambda:
                    return lambda;
                case ILocalFunctionOperation or IMethodBodyBaseOperation:
                    return null;
            }
        }

        return null;
    }
}
