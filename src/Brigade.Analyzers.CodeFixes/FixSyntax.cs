using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace Brigade.Analyzers.CodeFixes;

/// <summary>Syntax helpers shared by the code fixes.</summary>
internal static class FixSyntax
{
    /// <summary>Wraps an expression in <c>await</c>, parenthesised (the simplifier drops parentheses that are not needed).</summary>
    /// <param name="expression">The awaited expression.</param>
    /// <param name="original">The node it replaces (for trivia).</param>
    /// <returns>The await expression.</returns>
    public static ExpressionSyntax Await(ExpressionSyntax expression, SyntaxNode original) =>
        SyntaxFactory.ParenthesizedExpression(SyntaxFactory.AwaitExpression(expression.WithoutTrivia()))
            .WithTriviaFrom(original)
            .WithAdditionalAnnotations(Simplifier.Annotation);

    /// <summary>Parses a fully qualified type or member name that the fix's cleanup shortens and imports.</summary>
    /// <param name="qualifiedName">Such as <c>System.Threading.Interlocked</c>.</param>
    /// <returns>The expression.</returns>
    public static ExpressionSyntax Qualified(string qualifiedName) =>
        SyntaxFactory.ParseExpression(qualifiedName).WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation);

    /// <summary>Tests whether the function around a node (lambda, local function, method) is async.</summary>
    /// <param name="node">The node.</param>
    /// <returns>True if the nearest enclosing function has the async modifier.</returns>
    public static bool IsInAsyncFunction(SyntaxNode node)
    {
        foreach (var ancestor in node.Ancestors())
        {
            switch (ancestor)
            {
                case AnonymousFunctionExpressionSyntax lambda:
                    return lambda.AsyncKeyword.IsKind(SyntaxKind.AsyncKeyword);
                case LocalFunctionStatementSyntax local:
                    return local.Modifiers.Any(SyntaxKind.AsyncKeyword);
                case MethodDeclarationSyntax method:
                    return method.Modifiers.Any(SyntaxKind.AsyncKeyword);
                case MemberDeclarationSyntax:
                    return false;
            }
        }

        return false;
    }

    /// <summary>Finds a parameter name not used in a node: <c>cancellationToken</c>, then <c>ct</c>, <c>ct2</c>...</summary>
    /// <param name="scope">The node whose identifiers to avoid.</param>
    /// <returns>The name.</returns>
    public static string FreeName(SyntaxNode scope)
    {
        var used = new HashSet<string>(scope.DescendantTokens().Where(t => t.IsKind(SyntaxKind.IdentifierToken)).Select(t => t.ValueText), StringComparer.Ordinal);
        foreach (var candidate in new[] { "cancellationToken", "ct" })
        {
            if (!used.Contains(candidate))
            {
                return candidate;
            }
        }

        var i = 2;
        while (used.Contains("ct" + i))
        {
            i++;
        }

        return "ct" + i;
    }
}
