using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace Brigade.Analyzers.CodeFixes;

/// <summary>BRG2002 fix: <c>count++</c> → <c>Interlocked.Increment(ref count)</c>, <c>total += x</c> → <c>Interlocked.Add(ref total, x)</c>,
/// for <c>int</c>/<c>long</c> (and unsigned) fields and locals whose updated value is not used, outside a <c>checked</c>
/// context (the analyzer adds no fix there: <c>checked</c> throws on overflow, Interlocked wraps).</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(BRG2002InterlockedCodeFix))]
[Shared]
internal sealed class BRG2002InterlockedCodeFix : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.BRG2002LostUpdate.Id);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(BRG2002LostUpdateAnalyzer.InterlockedKey, out var method) || method is null
                || root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not ExpressionSyntax update)
            {
                continue;
            }

            var replacement = Rewrite(update, method);
            if (replacement is null)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create("Use Interlocked." + (method == "Subtract" ? "Add" : method), _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(update, replacement))), nameof(BRG2002InterlockedCodeFix)),
                diagnostic);
        }
    }

    private static InvocationExpressionSyntax? Rewrite(ExpressionSyntax update, string method)
    {
        ExpressionSyntax target;
        ExpressionSyntax? amount = null;
        switch (update)
        {
            case PostfixUnaryExpressionSyntax postfix:
                target = postfix.Operand;
                break;
            case PrefixUnaryExpressionSyntax prefix:
                target = prefix.Operand;
                break;
            case AssignmentExpressionSyntax assignment:
                target = assignment.Left;
                amount = method == "Subtract"
                    ? SyntaxFactory.PrefixUnaryExpression(SyntaxKind.UnaryMinusExpression, SyntaxFactory.ParenthesizedExpression(assignment.Right.WithoutTrivia()).WithAdditionalAnnotations(Simplifier.Annotation))
                    : assignment.Right.WithoutTrivia();
                break;
            default:
                return null;
        }

        var arguments = new List<ArgumentSyntax>
        {
            SyntaxFactory.Argument(null, SyntaxFactory.Token(SyntaxKind.RefKeyword), target.WithoutTrivia()),
        };
        if (amount is not null)
        {
            arguments.Add(SyntaxFactory.Argument(amount));
        }

        var name = method == "Subtract" ? "Add" : method;
        return SyntaxFactory.InvocationExpression(
                SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, FixSyntax.Qualified("System.Threading.Interlocked"), SyntaxFactory.IdentifierName(name)),
                SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(arguments)))
            .WithTriviaFrom(update);
    }
}
