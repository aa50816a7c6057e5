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

        return ResumesOnOneAtATimeContext(lambda.Symbol.ContainingType, select, lambda.Body) ? null : CombinatorOf(select, followLocal: true);
    }

    /// <summary>Gets the combinator that starts together the runs of an async local function a <c>Select</c>'s selector
    /// only calls (<c>Task.WhenAll(Enumerable.Range(0, n).Select(_ =&gt; WorkAsync()))</c>, review 67), if any.</summary>
    /// <param name="lambda">The selector, not async itself.</param>
    /// <param name="body">What the selector is given to.</param>
    /// <param name="function">The async local function it calls.</param>
    /// <returns>The combinator's name for messages (<c>Task.WhenAll</c>), or null.</returns>
    public static string? StartedTogetherByCall(IAnonymousFunctionOperation lambda, BodyContext body, ILocalFunctionOperation function)
    {
        if (body.Kind != BodyKind.None || body.Call is not IInvocationOperation select
            || select.TargetMethod.Name != "Select" || select.TargetMethod.ContainingType?.ToDisplayString() != "System.Linq.Enumerable")
        {
            return null;
        }

        return ResumesOnOneAtATimeContext(lambda.Symbol.ContainingType, select, function.Body!) ? null : CombinatorOf(select, followLocal: true);
    }

    // In an Orleans grain, a Blazor component or a WPF or WinForms element, each lambda's continuations return to the
    // context that started it: the grain's activation scheduler, the renderer's or the UI's dispatcher, each of which runs
    // one thing at a time. The lambdas interleave at their awaits but never run at once (review 66: a grain's
    // `_total += price` after an await was reported). Not when an await leaves the context (`ConfigureAwait(false)`), nor
    // when the Select is in a lambda (given to Task.Run, say: it may run on the pool).
    private static bool ResumesOnOneAtATimeContext(INamedTypeSymbol? type, IOperation select, IOperation started)
    {
        if (!RunsOnOneAtATimeContext(type))
        {
            return false;
        }

        for (var current = select.Parent; current is not null; current = current.Parent)
        {
            if (current is IAnonymousFunctionOperation)
            {
                return false;
            }
        }

        foreach (var operation in Operations.DescendantsInFunction(started))
        {
            if (operation is IInvocationOperation { TargetMethod.Name: "ConfigureAwait" } configure
                && (configure.Arguments.Length != 1 || configure.Arguments[0].Value.ConstantValue is not { HasValue: true, Value: true }))
            {
                return false;
            }
        }

        return true;
    }

    private static bool RunsOnOneAtATimeContext(INamedTypeSymbol? type)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            var ns = current.ContainingNamespace?.ToDisplayString();
            if ((current.Name == "Grain" && ns == "Orleans") || (current.Name == "ComponentBase" && ns == "Microsoft.AspNetCore.Components")
                || (current.Name == "Control" && ns == "System.Windows.Forms") || (current.Name == "DispatcherObject" && ns == "System.Windows.Threading"))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Tests whether an operation of an async lambda may run after the lambda's first await.</summary>
    /// <param name="operation">The operation (a write).</param>
    /// <param name="lambda">The async lambda, or async local function (review 67).</param>
    /// <returns>True if an await precedes it in the lambda, or a loop around it awaits.</returns>
    public static bool MayRunAfterAnAwait(IOperation operation, IOperation lambda)
    {
        var start = operation.Syntax.SpanStart;
        var body = lambda switch
        {
            IAnonymousFunctionOperation anonymous => anonymous.Body,
            ILocalFunctionOperation { Body: { } block } => block,
            _ => lambda,
        };
        foreach (var descendant in Operations.DescendantsInFunction(body))
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
