using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace Brigade.Analyzers.CodeFixes;

/// <summary>BRG2006 fix: <c>RaceDetector.EnterFlow();</c> as the first statement of the async method (block bodies only).</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(BRG2006EnterFlowCodeFix))]
[Shared]
internal sealed class BRG2006EnterFlowCodeFix : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.BRG2006SharedAcrossAwait.Id);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            var node = root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            var function = node?.Ancestors().FirstOrDefault(a => a is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or BaseMethodDeclarationSyntax);
            var body = function is null ? null : BodyOf(function);
            if (root is null || body is null)
            {
                continue;
            }

            var enter = SyntaxFactory.ExpressionStatement(SyntaxFactory.InvocationExpression(
                    SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, FixSyntax.Qualified("Brigade.Diagnostics.RaceDetector"), SyntaxFactory.IdentifierName("EnterFlow"))))
                .WithAdditionalAnnotations(Formatter.Annotation);
            context.RegisterCodeFix(
                CodeAction.Create("Call RaceDetector.EnterFlow() first", _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(body, body.WithStatements(body.Statements.Insert(0, enter))))), nameof(BRG2006EnterFlowCodeFix)),
                diagnostic);
        }
    }

    // The block body of the function around the access; null for an expression body.
    private static BlockSyntax? BodyOf(SyntaxNode node) => node switch
    {
        AnonymousFunctionExpressionSyntax lambda => lambda.Block,
        LocalFunctionStatementSyntax local => local.Body,
        BaseMethodDeclarationSyntax method => method.Body,
        _ => null,
    };
}
