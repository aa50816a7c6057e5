using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Brigade.Analyzers;

/// <summary>
/// The interface methods a compilation runs in parallel bodies through a type parameter (review 48: ImageSharp's
/// <c>ParallelRowIterator.IterateRows&lt;T&gt;(..., in T operation) where T : struct, IRowOperation</c> hands
/// <c>new RowOperationWrapper&lt;T&gt;(..., in operation).Invoke</c> to <c>Parallel.For</c>, whose body calls
/// <c>operation.Invoke(y)</c> for each row). A generic method of the compilation, with a type parameter constrained to
/// an interface of the compilation, that gives a lambda or a method of the compilation to <c>Parallel.*</c>, PLINQ or
/// <c>Task.Run</c>, whose body calls a method of an interface of the compilation on a value of a type parameter: every implementation
/// of that method in the compilation is a body of that kind (<c>RowOperation.Invoke(int y)</c> runs concurrently).
/// The compilation is read once, when first asked; only generic methods whose text names a parallel API are bound.
/// </summary>
internal sealed class ParallelInterfaces
{
    private static readonly ImmutableHashSet<string> s_apiNames = ImmutableHashSet.Create(
        StringComparer.Ordinal, "Parallel", "AsParallel", "Run", "StartNew", "QueueUserWorkItem", "UnsafeQueueUserWorkItem");

    private readonly Compilation _compilation;
    private readonly KnownSymbols _known;
    private readonly Lazy<Dictionary<IMethodSymbol, (BodyKind Kind, string Runner)>> _methods;

    /// <summary>Initializes the parallel interface methods of a compilation (read when first asked).</summary>
    /// <param name="compilation">The compilation.</param>
    /// <param name="known">Its known types.</param>
    public ParallelInterfaces(Compilation compilation, KnownSymbols known)
    {
        _compilation = compilation;
        _known = known;
        _methods = new Lazy<Dictionary<IMethodSymbol, (BodyKind, string)>>(Scan, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Finds whether a method implements an interface method that the compilation runs in parallel bodies.</summary>
    /// <param name="method">A method of the compilation.</param>
    /// <param name="kind">What runs it.</param>
    /// <param name="runner">The generic method that runs it, for messages (<c>ParallelRowIterator.IterateRows</c>).</param>
    /// <returns>True if the method is such an implementation.</returns>
    public bool TryGet(IMethodSymbol method, out BodyKind kind, out string runner)
    {
        kind = BodyKind.None;
        runner = "";
        if (method.IsStatic || method.MethodKind is not (MethodKind.Ordinary or MethodKind.ExplicitInterfaceImplementation)
            || method.ContainingType is not { TypeKind: TypeKind.Struct or TypeKind.Class } type || type.AllInterfaces.IsEmpty)
        {
            return false;
        }

        var methods = _methods.Value;
        if (methods.Count == 0)
        {
            return false;
        }

        foreach (var @interface in type.AllInterfaces)
        {
            foreach (var member in @interface.GetMembers())
            {
                if (member is IMethodSymbol interfaceMethod && methods.TryGetValue(interfaceMethod.OriginalDefinition, out var found)
                    && SymbolEqualityComparer.Default.Equals(type.FindImplementationForInterfaceMember(member), method))
                {
                    (kind, runner) = found;
                    return true;
                }
            }
        }

        return false;
    }

    private Dictionary<IMethodSymbol, (BodyKind, string)> Scan()
    {
        var found = new Dictionary<IMethodSymbol, (BodyKind, string)>(SymbolEqualityComparer.Default);
        var types = new Stack<INamespaceOrTypeSymbol>();
        types.Push(_compilation.Assembly.GlobalNamespace);
        while (types.Count > 0)
        {
            foreach (var member in types.Pop().GetMembers())
            {
                switch (member)
                {
                    case INamespaceOrTypeSymbol container:
                        types.Push(container);
                        break;
                    case IMethodSymbol method when method.DeclaringSyntaxReferences.Length == 1 && IsConstrainedToOwnInterface(method):
                        Read(method, found);
                        break;
                }
            }
        }

        return found;
    }

    // A type parameter of the method (or of its type) constrained to an interface declared in the compilation.
    private bool IsConstrainedToOwnInterface(IMethodSymbol method)
    {
        static bool Own(ITypeParameterSymbol parameter, IAssemblySymbol assembly) =>
            parameter.ConstraintTypes.Any(c => c.TypeKind == TypeKind.Interface && SymbolEqualityComparer.Default.Equals(c.ContainingAssembly, assembly));

        var assembly = _compilation.Assembly;
        return method.TypeParameters.Any(p => Own(p, assembly)) || method.ContainingType.TypeParameters.Any(p => Own(p, assembly));
    }

    private void Read(IMethodSymbol method, Dictionary<IMethodSymbol, (BodyKind, string)> found)
    {
        var syntax = method.DeclaringSyntaxReferences[0].GetSyntax();
        if (!_compilation.ContainsSyntaxTree(syntax.SyntaxTree)
            || !syntax.DescendantNodes().OfType<IdentifierNameSyntax>().Any(n => s_apiNames.Contains(n.Identifier.ValueText)))
        {
            // Most generic methods stop here, unbound: their text names no parallel API.
            return;
        }

#pragma warning disable RS1030 // Read once per compilation, in the trees of the methods that hand their type parameter on.
        var model = _compilation.GetSemanticModel(syntax.SyntaxTree);
#pragma warning restore RS1030
        if (model.GetOperation(syntax) is not { } body)
        {
            return;
        }

        foreach (var function in body.DescendantsAndSelf())
        {
            if (function is not (IAnonymousFunctionOperation or IMethodReferenceOperation) || !BodyContext.TryGet(function, _known, out var context)
                || context.Kind is not (BodyKind.ParallelLoop or BodyKind.ParallelInvoke or BodyKind.Plinq or BodyKind.PoolTask))
            {
                continue;
            }

            var kind = context.Kind == BodyKind.PoolTask && BodyContext.IsRepeated(context.Call) ? BodyKind.ParallelLoop : context.Kind;
            var runner = method.ContainingType.Name + "." + method.Name;
            foreach (var invocation in (FunctionBody(function)?.DescendantsAndSelf() ?? []).OfType<IInvocationOperation>())
            {
                // An interface of the compilation only: `x.Dispose()` on a T in a parallel body says nothing of every Dispose.
                if (invocation.TargetMethod.ContainingType is { TypeKind: TypeKind.Interface } called
                    && SymbolEqualityComparer.Default.Equals(called.ContainingAssembly, _compilation.Assembly)
                    && invocation.Instance?.Type is ITypeParameterSymbol
                    && !found.ContainsKey(invocation.TargetMethod.OriginalDefinition))
                {
                    found.Add(invocation.TargetMethod.OriginalDefinition, (kind, runner));
                }
            }
        }
    }

    // A lambda's body, or the body of a method of the compilation given as a method group (wrapper.Invoke).
    private IOperation? FunctionBody(IOperation function)
    {
        if (function is IAnonymousFunctionOperation lambda)
        {
            return lambda.Body;
        }

        var target = ((IMethodReferenceOperation)function).Method.OriginalDefinition;
        if (target.DeclaringSyntaxReferences.Length != 1 || !_compilation.ContainsSyntaxTree(target.DeclaringSyntaxReferences[0].SyntaxTree))
        {
            return null;
        }

        var syntax = target.DeclaringSyntaxReferences[0].GetSyntax();
#pragma warning disable RS1030 // As above: the method given, read once per compilation.
        return _compilation.GetSemanticModel(syntax.SyntaxTree).GetOperation(syntax);
#pragma warning restore RS1030
    }
}
