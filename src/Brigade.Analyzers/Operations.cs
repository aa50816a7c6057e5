using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Brigade.Analyzers;

/// <summary>Small helpers over the operation tree shared by the analyzers.</summary>
internal static class Operations
{
    /// <summary>Gets the root of an operation's tree (its method body, or the field initializer's).</summary>
    /// <param name="operation">The operation.</param>
    /// <returns>The topmost operation above it.</returns>
    public static IOperation Root(IOperation operation)
    {
        while (operation.Parent is { } parent)
        {
            operation = parent;
        }

        return operation;
    }

    /// <summary>Gets the initializers a field, property or local is declared with in source (<c>= value</c>), in
    /// declaration order; none for a member declared without one or outside the compilation's source.</summary>
    /// <param name="symbol">The field, property or local.</param>
    /// <returns>The initializers' expressions.</returns>
    public static IEnumerable<Microsoft.CodeAnalysis.CSharp.Syntax.ExpressionSyntax> DeclaredInitializers(ISymbol symbol)
    {
        foreach (var reference in symbol.DeclaringSyntaxReferences)
        {
            var initializer = reference.GetSyntax() switch
            {
                Microsoft.CodeAnalysis.CSharp.Syntax.VariableDeclaratorSyntax declarator => declarator.Initializer?.Value,
                Microsoft.CodeAnalysis.CSharp.Syntax.PropertyDeclarationSyntax property => property.Initializer?.Value,
                _ => null,
            };
            if (initializer is not null)
            {
                yield return initializer;
            }
        }
    }

    /// <summary>Skips implicit and explicit conversions and parentheses.</summary>
    /// <param name="operation">The operation.</param>
    /// <returns>The operand under them.</returns>
    public static IOperation SkipConversions(IOperation operation)
    {
        while (true)
        {
            switch (operation)
            {
                case IConversionOperation conversion:
                    operation = conversion.Operand;
                    break;
                case IParenthesizedOperation parenthesized:
                    operation = parenthesized.Operand;
                    break;
                default:
                    return operation;
            }
        }
    }

    /// <summary>Whether the operation suspends its function: an <c>await</c>, an <c>await foreach</c>, or an <c>await using</c>
    /// (statement or declaration), whose disposal awaits.</summary>
    public static bool IsAwait(IOperation operation) => operation switch
    {
        IAwaitOperation => true,
        IForEachLoopOperation loop => loop.IsAsynchronous,
        IUsingOperation usingOperation => usingOperation.IsAsynchronous,
        IUsingDeclarationOperation declaration => declaration.IsAsynchronous,
        _ => false,
    };

    /// <summary>Tests whether an operation is a function boundary: a lambda, an anonymous method or a local function.</summary>
    /// <param name="operation">The operation.</param>
    /// <returns>True for functions nested in a method body.</returns>
    public static bool IsNestedFunction(IOperation operation) => operation is IAnonymousFunctionOperation or ILocalFunctionOperation;

    /// <summary>Enumerates the descendants of an operation without entering nested lambdas and local functions.</summary>
    /// <param name="root">The root (not returned).</param>
    /// <returns>The descendants, in source order.</returns>
    public static IEnumerable<IOperation> DescendantsInFunction(IOperation root)
    {
        var stack = new Stack<IEnumerator<IOperation>>();
        stack.Push(((IEnumerable<IOperation>)root.ChildOperations).GetEnumerator());
        while (stack.Count > 0)
        {
            var children = stack.Peek();
            if (!children.MoveNext())
            {
                stack.Pop();
                continue;
            }

            var child = children.Current;
            yield return child;
            if (!IsNestedFunction(child))
            {
                stack.Push(((IEnumerable<IOperation>)child.ChildOperations).GetEnumerator());
            }
        }
    }

    /// <summary>Gets the function (lambda, local function or method) an operation belongs to, as its operation and symbol.</summary>
    /// <param name="operation">The operation.</param>
    /// <param name="containingSymbol">The symbol the analysis context gives (the method of the operation block).</param>
    /// <param name="function">The nearest enclosing lambda or local function operation, or null for the method itself.</param>
    /// <returns>The function's method symbol, if any.</returns>
    public static IMethodSymbol? EnclosingFunction(IOperation operation, ISymbol containingSymbol, out IOperation? function)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case IAnonymousFunctionOperation lambda:
                    function = lambda;
                    return lambda.Symbol;
                case ILocalFunctionOperation localFunction:
                    function = localFunction;
                    return localFunction.Symbol;
            }
        }

        function = null;
        return containingSymbol as IMethodSymbol;
    }

    /// <summary>Gets a short "File.cs:12" for a location.</summary>
    /// <param name="location">The location.</param>
    /// <returns>The file name and one-based line.</returns>
    public static string ShortPosition(Location location)
    {
        var span = location.GetLineSpan();
        var path = span.Path ?? "";
        var slash = Math.Max(path.LastIndexOf('/'), path.LastIndexOf('\\'));
        return (slash >= 0 ? path.Substring(slash + 1) : path) + ":" + (span.StartLinePosition.Line + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
