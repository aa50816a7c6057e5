using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Brigade.Analyzers.CodeFixes;

/// <summary>BRG2005 fix: <c>l.Acquire(ct)</c> → <c>await l.AcquireAsync(ct)</c> (and the Read, Write and Try forms alike).</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(BRG2005AcquireAsyncCodeFix))]
[Shared]
internal sealed class BRG2005AcquireAsyncCodeFix : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.BRG2005LockHeldAcrossAwait.Id);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax member } acquire)
            {
                continue;
            }

            var asyncName = member.Name.Identifier.ValueText + "Async";
            var awaited = FixSyntax.Await(acquire.WithExpression(member.WithName(SyntaxFactory.IdentifierName(asyncName))), acquire);
            context.RegisterCodeFix(
                CodeAction.Create("Use " + asyncName, _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(acquire, awaited))), nameof(BRG2005AcquireAsyncCodeFix)),
                diagnostic);
        }
    }
}
