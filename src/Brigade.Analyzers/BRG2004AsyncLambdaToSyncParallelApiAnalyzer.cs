using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Brigade.Analyzers;

/// <summary>
/// BRG2004: an async lambda (or an async void method group) given to a synchronous parallel API as an Action:
/// <c>Parallel.ForEach(items, async x => await SaveAsync(x))</c>. The lambda is async void: the loop counts each item
/// done at its first await and returns while the work still runs; an exception it throws crashes the process. So are a
/// timer's callback and Elapsed handler (review 63), unless everything from the first await on is caught.
/// </summary>
[DiagnosticAnalyzer(Microsoft.CodeAnalysis.LanguageNames.CSharp)]
internal sealed class BRG2004AsyncLambdaToSyncParallelApiAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The property a diagnostic carries with the suggested replacement API, for the code fix.</summary>
    public const string ReplacementKey = "Replacement";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.BRG2004AsyncLambdaToSyncParallelApi);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var known = KnownSymbols.Create(start.Compilation);
            if (known.Parallel is null && known.Runner is null && known.ParallelEnumerable is null && known.Thread is null && known.ThreadingTimer is null && known.TimersTimer is null)
            {
                return;
            }

            start.RegisterOperationAction(c => AnalyzeLambda(c, known), OperationKind.AnonymousFunction);
            start.RegisterOperationAction(c => AnalyzeMethodReference(c, known), OperationKind.MethodReference);
        });
    }

    private static void AnalyzeLambda(OperationAnalysisContext context, KnownSymbols known)
    {
        var lambda = (IAnonymousFunctionOperation)context.Operation;
        if (!lambda.Symbol.IsAsync || !lambda.Symbol.ReturnsVoid)
        {
            return;
        }

        var location = lambda.Syntax switch
        {
            LambdaExpressionSyntax l => Location.Create(l.SyntaxTree, Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(l.SpanStart, l.ArrowToken.Span.End)),
            AnonymousMethodExpressionSyntax a => Location.Create(a.SyntaxTree, Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(a.SpanStart, a.DelegateKeyword.Span.End)),
            _ => lambda.Syntax.GetLocation(),
        };
        Report(context, lambda, known, location, "lambda", lambda.Syntax switch
        {
            AnonymousFunctionExpressionSyntax function => (CSharpSyntaxNode?)function.Block ?? function.ExpressionBody,
            _ => null,
        });
    }

    private static void AnalyzeMethodReference(OperationAnalysisContext context, KnownSymbols known)
    {
        var reference = (IMethodReferenceOperation)context.Operation;
        if (reference.Method.IsAsync && reference.Method.ReturnsVoid)
        {
            // The method's body, for a try around it: read as syntax, wherever it is declared.
            var declaration = reference.Method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(context.CancellationToken) as BaseMethodDeclarationSyntax;
            Report(context, reference, known, reference.Syntax.GetLocation(), "method", (CSharpSyntaxNode?)declaration?.Body ?? declaration?.ExpressionBody);
        }
    }

    private static void Report(OperationAnalysisContext context, IOperation function, KnownSymbols known, Location location, string what, CSharpSyntaxNode? functionBody)
    {
        if (!BodyContext.TryGet(function, known, out var body) || !IsSynchronousParallelApi(body)
            || (IsFireAndForget(body) && functionBody is BlockSyntax block && CatchesAllFromFirstAwait(block)))
        {
            return;
        }

        var replacement = Replacement(body, known);
        var properties = ImmutableDictionary<string, string?>.Empty.Add(ReplacementKey, replacement);
        context.ReportDiagnostic(Diagnostic.Create(
            Descriptors.BRG2004AsyncLambdaToSyncParallelApi, location, properties, what, body.ApiName, WhatEndsAtTheFirstAwait(body, "the " + what + "'s first await"), Suggestion(replacement, body)));
    }

    // What the API sees end at the function's first await, form by form (review 63: it said "the call returns" of
    // new Task, whose task completes there).
    private static string WhatEndsAtTheFirstAwait(BodyContext body, string firstAwait) => body.Kind switch
    {
        BodyKind.ParallelLoop or BodyKind.Plinq => "the loop counts the item done at " + firstAwait + " and returns before the work is done",
        BodyKind.Timer when body.Api.MethodKind == MethodKind.EventAdd => "the Elapsed handler returns at " + firstAwait,
        BodyKind.Timer => "the timer's callback returns at " + firstAwait,
        _ when IsTaskConstructor(body) => "the task completes at " + firstAwait + ", before the work is done",
        BodyKind.DedicatedThread => "the thread ends at " + firstAwait + " (Join returns then), before the work is done",
        BodyKind.PoolTask => "the work item ends at " + firstAwait + " and nothing waits for the rest",
        _ => "the call returns at " + firstAwait + ", before the work is done",
    };

    // A timer's callback or a work item: nothing waits for it, so what the async void costs is the crash; a try with a
    // catch-all around everything from the first await on (the usual fix) leaves nothing to report (review 63). A loop, a
    // thread (Join) or a task (await) is waited for: ending early is the bug there, caught or not.
    private static bool IsFireAndForget(BodyContext body) =>
        body.Kind == BodyKind.Timer || (body.Kind == BodyKind.PoolTask && !IsTaskConstructor(body));

    // Every statement from the first one holding an await on is a try with a catch clause for every exception (`catch`,
    // `catch (Exception)`, no filter) that does not throw; statements before it run before the function returns to its
    // caller. Read as syntax: a method group's body may be in another tree.
    private static bool CatchesAllFromFirstAwait(BlockSyntax body)
    {
        var awaited = false;
        foreach (var statement in body.Statements)
        {
            awaited = awaited || statement.DescendantNodesAndSelf().Any(n => n is AwaitExpressionSyntax || n is ForEachStatementSyntax { AwaitKeyword.RawKind: not 0 } || n is UsingStatementSyntax { AwaitKeyword.RawKind: not 0 } || n is LocalDeclarationStatementSyntax { AwaitKeyword.RawKind: not 0 });
            if (awaited && (statement is not TryStatementSyntax attempt || !attempt.Catches.Any(IsCatchAll)))
            {
                return false;
            }
        }

        return awaited;
    }

    private static bool IsCatchAll(CatchClauseSyntax clause) =>
        clause.Filter is null
        && (clause.Declaration is null || clause.Declaration.Type.ToString() is "Exception" or "System.Exception" or "global::System.Exception")
        && !clause.Block.DescendantNodes().Any(n => n is ThrowStatementSyntax or ThrowExpressionSyntax);

    private static bool IsSynchronousParallelApi(BodyContext body) => body.Kind switch
    {
        BodyKind.ParallelLoop or BodyKind.ParallelInvoke or BodyKind.Plinq or BodyKind.DedicatedThread or BodyKind.Runner => true,
        // new Timer(async _ => ...), timer.Elapsed += async (s, e) => ...: on the pool, nothing catches (review 63).
        BodyKind.Timer => Timers.RunsOnThreadPool(body),
        // new Task(async () => ...): Task has no Func<Task> constructor, so the lambda is an Action (review 61).
        BodyKind.PoolTask => body.Api.Name.EndsWith("QueueUserWorkItem", StringComparison.Ordinal) || IsTaskConstructor(body),
        _ => false,
    };

    private static bool IsTaskConstructor(BodyContext body) => body.Api is { MethodKind: MethodKind.Constructor, ContainingType: { Name: "Task", Arity: 0 } };

    // The API to use instead, if the code fix can rewrite the call into it.
    private static string? Replacement(BodyContext body, KnownSymbols known)
    {
        if (body.Kind == BodyKind.ParallelLoop && !body.IsWrapper && known.Parallel is { } parallel)
        {
            var asyncName = body.Api.Name + "Async";
            if (!body.Api.Name.EndsWith("Async", StringComparison.Ordinal) && !parallel.GetMembers(asyncName).IsEmpty)
            {
                return "Parallel." + asyncName;
            }
        }

        if (body.Kind == BodyKind.Runner && body.Api.Name == "ForEachAsync")
        {
            return "Runner.ForEachAsync";
        }

        return null;
    }

    private static string Suggestion(string? replacement, BodyContext body) => replacement switch
    {
        "Runner.ForEachAsync" => "the asynchronous overload, an (item, cancellationToken) lambda returning ValueTask",
        not null => replacement + ", which awaits each body",
        // A thread, a work item or a new Task is one function, not a loop: Task.Run awaits it (review 61).
        _ when body.Kind is BodyKind.PoolTask or BodyKind.DedicatedThread => "Task.Run, whose task completes when the async function does",
        _ when body.Kind == BodyKind.Timer => "a try/catch around the whole body after the first await, or a loop over a PeriodicTimer (await timer.WaitForNextTickAsync())",
        _ => body.Kind == BodyKind.Runner
            ? "the overload whose work is an (item, cancellationToken) lambda returning ValueTask"
            : "Parallel.ForEachAsync or Brigade's Runner.ForEachAsync, which await each body",
    };
}
