using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Brigade.Analyzers.CodeFixes;

/// <summary>
/// BRG2008 fix: <c>Task.Factory.StartNew(async () => ...)</c> (alone, or with a cancellation token) → <c>Task.Run(async () => ...)</c>,
/// which unwraps the inner task; with options, a scheduler, state, another factory or <c>ContinueWith</c>, <c>.Unwrap()</c>
/// on the result, which keeps them.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(BRG2008UnwrapCodeFix))]
[Shared]
internal sealed class BRG2008UnwrapCodeFix : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.BRG2008NestedTaskNotUnwrapped.Id);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => new AnyKeyFixAllProvider(nameof(BRG2008UnwrapCodeFix));

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (root is null || diagnostic.AdditionalLocations.Count == 0
                || !diagnostic.Properties.TryGetValue(BRG2008NestedTaskNotUnwrappedAnalyzer.FixKey, out var fix)
                || root.FindNode(diagnostic.AdditionalLocations[0].SourceSpan, getInnermostNodeForTie: true)?.AncestorsAndSelf().OfType<InvocationExpressionSyntax>()
                    .FirstOrDefault(i => i.Span == diagnostic.AdditionalLocations[0].SourceSpan) is not { } invocation)
            {
                continue;
            }

            ExpressionSyntax replacement;
            string title;
            if (fix == BRG2008NestedTaskNotUnwrappedAnalyzer.RunFix)
            {
                replacement = invocation.WithExpression(FixSyntax.Qualified("System.Threading.Tasks.Task.Run").WithTriviaFrom(invocation.Expression));
                title = "Use Task.Run, which unwraps the inner task";
            }
            else
            {
                replacement = SyntaxFactory.InvocationExpression(
                        SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, invocation.WithoutTrivia(), SyntaxFactory.IdentifierName("Unwrap")))
                    .WithTriviaFrom(invocation);
                title = "Unwrap the inner task";
            }

            context.RegisterCodeFix(
                CodeAction.Create(title, _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(invocation, replacement))), nameof(BRG2008UnwrapCodeFix)),
                diagnostic);
        }
    }
}
