using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Brigade.Analyzers;

/// <summary>
/// Async lambdas of <c>Enumerable.Select</c> started together: <c>await Task.WhenAll(urls.Select(async url => { ...
/// }))</c>, directly, through <c>ToList</c>/<c>ToArray</c>, or through a local given to <c>Task.WhenAll</c>,
/// <c>WhenAny</c>, <c>WaitAll</c> or <c>WaitAny</c>. Enumerating the sequence starts every lambda; each runs on its
/// caller's thread up to its first <c>await</c> (one after the other), and on the thread pool after it, side by side with
/// the others (review 59).
/// </summary>
internal static class AsyncSelect
{
    /// <summary>Gets the combinator that starts the async lambdas of a <c>Select</c> together, if any.</summary>
    /// <param name="lambda">The lambda.</param>
    /// <param name="body">What the lambda is given to.</param>
    /// <returns>The combinator's name for messages (<c>Task.WhenAll</c>), or null.</returns>
    public static string? StartedTogetherBy(IAnonymousFunctionOperation lambda, BodyContext body)
    {
        if (!lambda.Symbol.IsAsync || body.Kind != BodyKind.None || body.Call is not IInvocationOperation select
            || select.TargetMethod.Name != "Select" || select.TargetMethod.ContainingType?.ToDisplayString() != "System.Linq.Enumerable")
        {
            return null;
        }

        return CombinatorOf(select, followLocal: true);
    }

    /// <summary>Tests whether an operation of an async lambda may run after the lambda's first await.</summary>
    /// <param name="operation">The operation (a write).</param>
    /// <param name="lambda">The async lambda.</param>
    /// <returns>True if an await precedes it in the lambda, or a loop around it awaits.</returns>
    public static bool MayRunAfterAnAwait(IOperation operation, IAnonymousFunctionOperation lambda)
    {
        var start = operation.Syntax.SpanStart;
        foreach (var descendant in Operations.DescendantsInFunction(lambda.Body))
        {
            if (Operations.IsAwait(descendant) && descendant.Syntax.Span.End <= start)
            {
                return true;
            }
        }

        for (var current = operation.Parent; current is not null && current != lambda; current = current.Parent)
        {
            if (current is ILoopOperation loop && (Operations.IsAwait(loop) || Operations.DescendantsInFunction(loop).Any(Operations.IsAwait)))
            {
                return true;
            }
        }

        return false;
    }

    // Follows the sequence up: conversions, ToList/ToArray/AsEnumerable, a local it initialises, to a task combinator.
    private static string? CombinatorOf(IOperation sequence, bool followLocal)
    {
        var current = sequence;
        while (true)
        {
            var parent = current.Parent;
            while (parent is IConversionOperation)
            {
                current = parent;
                parent = parent.Parent;
            }

            switch (parent)
            {
                case IArgumentOperation { Parent: IInvocationOperation invocation }:
                    var method = invocation.TargetMethod;
                    if (method.Name is "WhenAll" or "WhenAny" or "WaitAll" or "WaitAny" && method.ContainingType?.ToDisplayString() == "System.Threading.Tasks.Task")
                    {
                        return "Task." + method.Name;
                    }

                    if (method.Name is "ToList" or "ToArray" or "AsEnumerable" && method.ContainingType?.ToDisplayString() == "System.Linq.Enumerable")
                    {
                        current = invocation;
                        continue;
                    }

                    return null;
                case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator } when followLocal:
                    return CombinatorOfLocal(declarator);
                default:
                    return null;
            }
        }
    }

    // var tasks = urls.Select(async ...).ToList(); ... await Task.WhenAll(tasks);
    private static string? CombinatorOfLocal(IVariableDeclaratorOperation declarator)
    {
        var root = (IOperation)declarator;
        while (root.Parent is { } parent)
        {
            root = parent;
        }

        foreach (var operation in root.Descendants())
        {
            if (operation is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, declarator.Symbol)
                && CombinatorOf(reference, followLocal: false) is { } combinator)
            {
                return combinator;
            }
        }

        return null;
    }
}
