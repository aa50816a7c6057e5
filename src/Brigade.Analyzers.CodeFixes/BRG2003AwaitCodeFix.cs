using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Brigade.Analyzers.CodeFixes;

/// <summary>
/// BRG2003 fix, in async functions: <c>t.Result</c>, <c>t.Wait()</c>, <c>t.GetAwaiter().GetResult()</c> → <c>await t</c>;
/// <c>Task.WaitAll(a, b)</c> → <c>await Task.WhenAll(a, b)</c>; <c>Thread.Sleep(ms)</c> → <c>await Task.Delay(ms)</c>;
/// <c>File.ReadAllText(p)</c> and other calls with an asynchronous twin → <c>await File.ReadAllTextAsync(p)</c>.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(BRG2003AwaitCodeFix))]
[Shared]
internal sealed class BRG2003AwaitCodeFix : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.BRG2003BlockingOnThreadPool.Id);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => new AnyKeyFixAllProvider(nameof(BRG2003AwaitCodeFix));

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.ContainsKey(BRG2003BlockingOnThreadPoolAnalyzer.AwaitableKey)
                || !diagnostic.Properties.TryGetValue(BRG2003BlockingOnThreadPoolAnalyzer.KindKey, out var kind)
                || root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not ExpressionSyntax blocking)
            {
                continue;
            }

            if (Rewrite(blocking, kind) is not { } awaited)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create("Await instead of blocking", _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(blocking, FixSyntax.Await(awaited, blocking)))), nameof(BRG2003AwaitCodeFix)),
                diagnostic);
        }
    }

    // The expression to await in place of the blocking one.
    private static ExpressionSyntax? Rewrite(ExpressionSyntax blocking, string? kind)
    {
        switch (kind, blocking)
        {
            case ("Result", MemberAccessExpressionSyntax result):
                return result.Expression;
            case ("Wait", InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax wait }):
                return wait.Expression;
            case ("GetResult", InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Expression: InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax getAwaiter } } }):
                return getAwaiter.Expression;
            case ("WaitAll", InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax waitAll } invocation):
                return invocation.WithExpression(waitAll.WithName(SyntaxFactory.IdentifierName("WhenAll")));
            case ("Sleep", InvocationExpressionSyntax sleep):
                return sleep.WithExpression(SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, FixSyntax.Qualified("System.Threading.Tasks.Task"), SyntaxFactory.IdentifierName("Delay")));
            case ("HasAsyncTwin", InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax member } call):
                return call.WithExpression(member.WithName(SyntaxFactory.IdentifierName(member.Name.Identifier.ValueText + "Async")));
            case ("HasAsyncTwin", InvocationExpressionSyntax { Expression: IdentifierNameSyntax name } call):
                return call.WithExpression(SyntaxFactory.IdentifierName(name.Identifier.ValueText + "Async"));
            default:
                return null;
        }
    }
}
