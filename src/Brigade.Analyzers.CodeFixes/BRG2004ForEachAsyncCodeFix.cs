using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace Brigade.Analyzers.CodeFixes;

/// <summary>
/// BRG2004 fix: <c>Parallel.ForEach(items, async x => ...)</c> → <c>await Parallel.ForEachAsync(items, async (x, cancellationToken) => ...)</c>
/// (and <c>For</c> → <c>ForAsync</c>) where the call is a statement of an async function;
/// <c>Runner.ForEachAsync(items, async x => ...)</c> → the asynchronous overload, <c>async (x, cancellationToken) => ...</c>.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(BRG2004ForEachAsyncCodeFix))]
[Shared]
internal sealed class BRG2004ForEachAsyncCodeFix : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.BRG2004AsyncLambdaToSyncParallelApi.Id);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => new AnyKeyFixAllProvider(nameof(BRG2004ForEachAsyncCodeFix));

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (root is null
                || !diagnostic.Properties.TryGetValue(BRG2004AsyncLambdaToSyncParallelApiAnalyzer.ReplacementKey, out var replacement) || replacement is null
                || root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true)?.AncestorsAndSelf().OfType<AnonymousFunctionExpressionSyntax>().FirstOrDefault() is not { } lambda
                || lambda.Parent is not ArgumentSyntax { Parent: ArgumentListSyntax { Parent: InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax member } invocation } }
                || WithCancellationToken(lambda) is not { } newLambda)
            {
                continue;
            }

            SyntaxNode oldNode;
            SyntaxNode newNode;
            if (replacement == "Runner.ForEachAsync")
            {
                oldNode = lambda;
                newNode = newLambda;
            }
            else
            {
                // Parallel.ForEach → await Parallel.ForEachAsync: only a statement of an async function can await.
                if (invocation.Parent is not ExpressionStatementSyntax || !FixSyntax.IsInAsyncFunction(invocation))
                {
                    continue;
                }

                var asyncName = member.Name.Identifier.ValueText + "Async";
                var newInvocation = invocation.ReplaceNode(lambda, newLambda);
                newInvocation = newInvocation.WithExpression(((MemberAccessExpressionSyntax)newInvocation.Expression).WithName(SyntaxFactory.IdentifierName(asyncName)));
                oldNode = invocation;
                newNode = SyntaxFactory.AwaitExpression(newInvocation.WithoutLeadingTrivia()).WithLeadingTrivia(invocation.GetLeadingTrivia());
            }

            var title = "Use " + replacement;
            context.RegisterCodeFix(
                CodeAction.Create(title, _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(oldNode, newNode))), nameof(BRG2004ForEachAsyncCodeFix)),
                diagnostic);
        }
    }

    // async x => ... becomes async (x, cancellationToken) => ...; a lambda with more than one parameter (the loop
    // state) has no asynchronous equivalent.
    private static ParenthesizedLambdaExpressionSyntax? WithCancellationToken(AnonymousFunctionExpressionSyntax lambda)
    {
        var name = SyntaxFactory.Identifier(FixSyntax.FreeName(lambda));
        switch (lambda)
        {
            case SimpleLambdaExpressionSyntax simple:
                return SyntaxFactory.ParenthesizedLambdaExpression(
                        SyntaxFactory.ParameterList(SyntaxFactory.SeparatedList(new[] { simple.Parameter.WithoutTrivia(), SyntaxFactory.Parameter(name) })),
                        simple.Block,
                        simple.ExpressionBody)
                    .WithAsyncKeyword(simple.AsyncKeyword)
                    .WithArrowToken(simple.ArrowToken)
                    .WithTriviaFrom(simple);
            case ParenthesizedLambdaExpressionSyntax parenthesized when parenthesized.ParameterList.Parameters.Count == 1:
                var first = parenthesized.ParameterList.Parameters[0];
                var token = first.Type is null
                    ? SyntaxFactory.Parameter(name)
                    : SyntaxFactory.Parameter(name).WithType(SyntaxFactory.ParseTypeName("System.Threading.CancellationToken").WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation));
                return parenthesized.WithParameterList(parenthesized.ParameterList.AddParameters(token));
            default:
                return null;
        }
    }
}
