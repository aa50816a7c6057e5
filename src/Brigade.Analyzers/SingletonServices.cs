using System.Collections.Concurrent;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Brigade.Analyzers;

/// <summary>
/// The services a compilation registers as singletons with Microsoft.Extensions.DependencyInjection (review 65):
/// <c>services.AddSingleton&lt;Counter&gt;()</c>, <c>AddSingleton&lt;IStore, Store&gt;()</c>, <c>AddSingleton(new Counter())</c>,
/// <c>AddSingleton(typeof(IStore), typeof(Store))</c>, <c>TryAddSingleton</c>, a factory that only makes one
/// (<c>AddSingleton&lt;IClock&gt;(sp =&gt; new SystemClock())</c>). One instance serves every request, so a
/// request handler that writes to it races with the others. Only registrations in the compilation are known (a library's
/// extension method registering its own services is not read); a type registered as a singleton counts as one even if it
/// is also registered otherwise. The compilation is read once, when first asked; only calls named AddSingleton or
/// TryAddSingleton are bound. The methods of the compilation that a handler calls are read once each, too.
/// </summary>
internal sealed class SingletonServices
{
    private readonly Compilation _compilation;
    private readonly Lazy<Dictionary<ITypeSymbol, INamedTypeSymbol?>> _services;
    private readonly ConcurrentDictionary<(IMethodSymbol Method, bool StaticsOnly), object?> _callees = new();

    /// <summary>Initializes the singletons of a compilation (read when first asked).</summary>
    /// <param name="compilation">The compilation.</param>
    public SingletonServices(Compilation compilation)
    {
        _compilation = compilation;
        _services = new Lazy<Dictionary<ITypeSymbol, INamedTypeSymbol?>>(Scan, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Finds whether a type is registered as a singleton service, and the class registered for it when known.</summary>
    /// <param name="type">The service type (a parameter's or field's declared type).</param>
    /// <param name="implementation">The class registered (null for a factory or an instance of unknown class).</param>
    /// <returns>True if the compilation registers the type as a singleton.</returns>
    public bool TryGet(ITypeSymbol? type, out INamedTypeSymbol? implementation)
    {
        implementation = null;
        return type is INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Interface } named
            && !named.DeclaringSyntaxReferences.IsEmpty
            && _services.Value.TryGetValue(named.OriginalDefinition, out implementation);
    }

    /// <summary>The body of a method of the compilation, read once and kept with what was found in it.</summary>
    /// <param name="method">A method or property accessor of the compilation with one declaration.</param>
    /// <param name="staticsOnly">Which reading of it (as a singleton's method, or as a per-call service's helper).</param>
    /// <param name="read">Reads the body (null when the method has none in the compilation).</param>
    /// <returns>What <paramref name="read"/> returned, kept.</returns>
    public object? Callee(IMethodSymbol method, bool staticsOnly, Func<IOperation?, object?> read) =>
        _callees.GetOrAdd((method.OriginalDefinition, staticsOnly), key => read(BodyOf(key.Method)));

    /// <summary>The body of a method or property accessor of the compilation with one declaration (not kept).</summary>
    /// <param name="method">The method.</param>
    /// <returns>Its body, or null when it has none in the compilation.</returns>
    public IOperation? BodyOf(IMethodSymbol method)
    {
        if (method.DeclaringSyntaxReferences.Length != 1 || method.IsAbstract || method.IsExtern)
        {
            return null;
        }

        var syntax = method.DeclaringSyntaxReferences[0].GetSyntax();
        // A method, or a property's accessor with a body (`get { _calls++; ... }`, `set => ...`) or an expression-bodied
        // property's getter (`public int Reads => _reads++;`), review 65b. An auto-property's accessor has none.
        var readable = syntax switch
        {
            MethodDeclarationSyntax => true,
            AccessorDeclarationSyntax accessor => accessor.Body is not null || accessor.ExpressionBody is not null,
            ArrowExpressionClauseSyntax { Parent: PropertyDeclarationSyntax or IndexerDeclarationSyntax } => true,
            _ => false,
        };
        if (!readable || !_compilation.ContainsSyntaxTree(syntax.SyntaxTree))
        {
            return null;
        }

#pragma warning disable RS1030 // The callee is in another tree than the handler analysed, or in the same: read once per compilation.
        return _compilation.GetSemanticModel(syntax.SyntaxTree).GetOperation(syntax) switch
        {
            IMethodBodyOperation body => body,
            IBlockOperation block when syntax is ArrowExpressionClauseSyntax => block,
            _ => null,
        };
#pragma warning restore RS1030
    }

    private Dictionary<ITypeSymbol, INamedTypeSymbol?> Scan()
    {
        var found = new Dictionary<ITypeSymbol, INamedTypeSymbol?>(SymbolEqualityComparer.Default);
        foreach (var tree in _compilation.SyntaxTrees)
        {
            SemanticModel? model = null;
            foreach (var node in tree.GetRoot().DescendantNodes())
            {
                if (node is not InvocationExpressionSyntax invocation || NameOf(invocation.Expression) is not ("AddSingleton" or "TryAddSingleton"))
                {
                    continue;
                }

#pragma warning disable RS1030 // Read once per compilation, in the trees that register singletons.
                model ??= _compilation.GetSemanticModel(tree);
#pragma warning restore RS1030
                if (model.GetOperation(invocation) is IInvocationOperation operation)
                {
                    Add(operation, found);
                }
            }
        }

        return found;
    }

    private static string? NameOf(ExpressionSyntax expression) => expression switch
    {
        MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
        SimpleNameSyntax name => name.Identifier.ValueText,
        _ => null,
    };

    // The class a factory lambda makes when all it does is `new Store(...)`: `sp => new Store(sp.GetRequiredService<X>())`.
    private static ITypeSymbol? MadeBy(IInvocationOperation operation)
    {
        foreach (var argument in operation.Arguments)
        {
            if (Operations.SkipConversions(argument.Value) is IDelegateCreationOperation { Target: IAnonymousFunctionOperation lambda }
                && lambda.Body.Operations.Length == 1 && lambda.Body.Operations[0] is IReturnOperation { ReturnedValue: { } value }
                && Operations.SkipConversions(value) is IObjectCreationOperation { Type: { } made })
            {
                return made;
            }
        }

        return null;
    }

    private static void Add(IInvocationOperation operation, Dictionary<ITypeSymbol, INamedTypeSymbol?> found)
    {
        var method = operation.TargetMethod;
        var ns = method.ContainingType?.ContainingNamespace?.ToDisplayString();
        if (ns is not ("Microsoft.Extensions.DependencyInjection" or "Microsoft.Extensions.DependencyInjection.Extensions"))
        {
            return;
        }

        var hasFactory = method.Parameters.Any(p => p.Type.TypeKind == TypeKind.Delegate);
        ITypeSymbol? service;
        ITypeSymbol? implementation;
        switch (method.TypeArguments.Length)
        {
            case 2:
                (service, implementation) = (method.TypeArguments[0], method.TypeArguments[1]);
                break;
            case 1:
                // AddSingleton<Counter>() or AddSingleton(counter): the class itself; with a factory, not known.
                (service, implementation) = (method.TypeArguments[0], hasFactory ? null : method.TypeArguments[0]);
                break;
            default:
                // AddSingleton(typeof(IStore), typeof(Store)), AddSingleton(typeof(Counter)).
                var types = operation.Arguments.Select(a => Operations.SkipConversions(a.Value)).OfType<ITypeOfOperation>().Select(t => t.TypeOperand).ToList();
                if (types.Count == 0)
                {
                    return;
                }

                (service, implementation) = (types[0], hasFactory ? null : types[types.Count - 1]);
                break;
        }

        if (implementation is null && hasFactory)
        {
            implementation = MadeBy(operation);
        }

        if (service is INamedTypeSymbol named)
        {
            var known = implementation is INamedTypeSymbol { TypeKind: TypeKind.Class } implementationClass ? implementationClass : null;
            if (!found.TryGetValue(named.OriginalDefinition, out var existing) || existing is null)
            {
                found[named.OriginalDefinition] = known;
            }
        }
    }
}
