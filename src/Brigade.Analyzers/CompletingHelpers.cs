using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Brigade.Analyzers;

/// <summary>
/// The async methods of a compilation that return only once a task they are given is complete (review 46:
/// vs-threading's <c>WithTimeout</c>, MassTransit's <c>OrThrowIfOtherFails</c>: <c>await Task.WhenAny(task, delay); if
/// (...) throw ...; await task;</c>). A by-value task parameter, never assigned, that <see cref="TaskCompletion"/> finds
/// complete at every way out of the body (each <c>return</c>, the end): awaiting the method completes its argument.
/// Each method is read once per compilation, with the helpers it awaits in turn (vs-threading's <c>WithTimeout&lt;T&gt;</c>
/// awaits <c>WithTimeout</c>), up to <see cref="MaxDepth"/> helpers deep: recursion ends there.
/// </summary>
internal sealed class CompletingHelpers
{
    /// <summary>How many helpers deep a completion is followed (a helper, and the helpers it awaits).</summary>
    public const int MaxDepth = 2;

    private readonly Compilation _compilation;
    private readonly KnownSymbols _known;
    private readonly CompletingHelpers? _inner;
    private readonly ConcurrentDictionary<IMethodSymbol, ImmutableArray<int>> _completed = new(SymbolEqualityComparer.Default);

    /// <summary>Initializes the helpers of a compilation.</summary>
    /// <param name="compilation">The compilation.</param>
    /// <param name="known">Its known types.</param>
    public CompletingHelpers(Compilation compilation, KnownSymbols known)
        : this(compilation, known, MaxDepth)
    {
    }

    private CompletingHelpers(Compilation compilation, KnownSymbols known, int depth)
    {
        _compilation = compilation;
        _known = known;
        _inner = depth > 1 ? new CompletingHelpers(compilation, known, depth - 1) : null;
    }

    /// <summary>Gets the ordinals of the parameters whose task an awaited call of the method leaves complete.</summary>
    /// <param name="method">The method called.</param>
    /// <returns>The ordinals; empty for most methods.</returns>
    public ImmutableArray<int> CompletedParameters(IMethodSymbol method)
    {
        method = (method.ReducedFrom ?? method).OriginalDefinition;
        if (!method.IsAsync || method.DeclaringSyntaxReferences.Length != 1
            || !method.Parameters.Any(p => p.RefKind == RefKind.None && _known.IsTaskLike(p.Type))
            || !_compilation.ContainsSyntaxTree(method.DeclaringSyntaxReferences[0].SyntaxTree))
        {
            // Most awaited calls stop here: only an async method of the compilation with a task parameter is read (not
            // one of a project referenced as a compilation, as an IDE does: its trees are not this compilation's).
            return ImmutableArray<int>.Empty;
        }

        return _completed.GetOrAdd(method, Read);
    }

    private ImmutableArray<int> Read(IMethodSymbol method)
    {
        var syntax = method.DeclaringSyntaxReferences[0].GetSyntax();
#pragma warning disable RS1030 // The helper's body is in another tree than the code analysed, read once per compilation.
        var model = _compilation.GetSemanticModel(syntax.SyntaxTree);
#pragma warning restore RS1030
        var body = model.GetOperation(syntax) switch
        {
            IMethodBodyOperation declared => declared.BlockBody ?? declared.ExpressionBody,
            ILocalFunctionOperation local => local.Body ?? local.IgnoredBody,
            _ => null,
        };
        if (body is null)
        {
            return ImmutableArray<int>.Empty;
        }

        // The helper's own helpers one level less deep; at the last level, none.
        var facts = TaskCompletion.Build(body, _known, _inner);
        var exits = Operations.DescendantsInFunction(body).OfType<IReturnOperation>().Where(r => r.Kind == OperationKind.Return).ToList();
        var builder = ImmutableArray.CreateBuilder<int>();
        foreach (var parameter in method.Parameters)
        {
            if (parameter.RefKind == RefKind.None && _known.IsTaskLike(parameter.Type) && facts.IsCompleteOnEveryExit(parameter, body, exits))
            {
                builder.Add(parameter.Ordinal);
            }
        }

        return builder.ToImmutable();
    }
}
