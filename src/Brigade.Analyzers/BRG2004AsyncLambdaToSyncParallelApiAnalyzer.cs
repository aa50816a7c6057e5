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
/// timer's callback and Elapsed handler (review 63), unless everything from the first await on is caught, in the
/// function or as the whole body of an async method of the compilation it awaits (review 64).
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
        }, lambda.SemanticModel);
    }

    private static void AnalyzeMethodReference(OperationAnalysisContext context, KnownSymbols known)
    {
        var reference = (IMethodReferenceOperation)context.Operation;
        if (reference.Method.IsAsync && reference.Method.ReturnsVoid)
        {
            // The method's body, for a try around it: read as syntax, wherever it is declared.
            var declaration = reference.Method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(context.CancellationToken) as BaseMethodDeclarationSyntax;
            var model = declaration is null || !context.Compilation.ContainsSyntaxTree(declaration.SyntaxTree) ? null
                : declaration.SyntaxTree == reference.SemanticModel?.SyntaxTree ? reference.SemanticModel
#pragma warning disable RS1030 // The method's body may be in another tree than the reference; read only for a timer's or work item's method group.
                : context.Compilation.GetSemanticModel(declaration.SyntaxTree);
#pragma warning restore RS1030
            Report(context, reference, known, reference.Syntax.GetLocation(), "method", (CSharpSyntaxNode?)declaration?.Body ?? declaration?.ExpressionBody, model);
        }
    }

    private static void Report(OperationAnalysisContext context, IOperation function, KnownSymbols known, Location location, string what, CSharpSyntaxNode? functionBody, SemanticModel? model)
    {
        if (!BodyContext.TryGet(function, known, out var body) || !IsSynchronousParallelApi(body)
            || (IsFireAndForget(body) && functionBody is not null && CatchesAllFromFirstAwait(functionBody, model)))
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
    // `catch (Exception)`, no filter) that does not throw, or an await of an async method that cannot fault
    // (AwaitsCatchAllMethod); statements before it run before the function returns to its caller. An expression body is
    // one statement. Read as syntax: a method group's body may be in another tree (the model is that tree's, if any).
    private static bool CatchesAllFromFirstAwait(CSharpSyntaxNode body, SemanticModel? model)
    {
        IEnumerable<SyntaxNode> statements = body switch
        {
            BlockSyntax block => block.Statements,
            ArrowExpressionClauseSyntax arrow => [arrow.Expression],
            _ => [body],
        };
        var awaited = false;
        foreach (var statement in statements)
        {
            awaited = awaited || statement.DescendantNodesAndSelf().Any(n => n is AwaitExpressionSyntax || n is ForEachStatementSyntax { AwaitKeyword.RawKind: not 0 } || n is UsingStatementSyntax { AwaitKeyword.RawKind: not 0 } || n is LocalDeclarationStatementSyntax { AwaitKeyword.RawKind: not 0 });
            if (awaited && !(statement is TryStatementSyntax attempt && attempt.Catches.Any(IsCatchAll)) && !AwaitsCatchAllMethod(statement, model))
            {
                return false;
            }
        }

        return awaited;
    }

    // `await SafeTickAsync();`, `await this.SafeTickAsync().ConfigureAwait(false)`, `var n = await CountAsync();` (review
    // 64): an await of a method of the compilation that cannot throw there. The method is async (every exception of its
    // body, before its first await too, goes to its task), returns a Task or ValueTask, is not virtual (no override runs
    // instead), and its whole body is trys with a catch-all that does not throw: its task never faults, so the await
    // does not throw. Its receiver is `this`, a type, or a variable the compiler's nullable analysis holds not null;
    // its arguments are constants, locals, parameters or fields (evaluating them cannot throw). One method deep.
    private static bool AwaitsCatchAllMethod(SyntaxNode statement, SemanticModel? model)
    {
        var awaitExpression = statement switch
        {
            AwaitExpressionSyntax expression => expression,
            ExpressionStatementSyntax { Expression: AwaitExpressionSyntax expression } => expression,
            LocalDeclarationStatementSyntax { AwaitKeyword.RawKind: 0, UsingKeyword.RawKind: 0, Declaration.Variables: { Count: 1 } variables }
                when variables[0].Initializer?.Value is AwaitExpressionSyntax expression => expression,
            _ => null,
        };
        if (model is null || awaitExpression?.Expression is not InvocationExpressionSyntax call)
        {
            return false;
        }

        if (call is { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait", Expression: InvocationExpressionSyntax configured }, ArgumentList.Arguments: { Count: 1 } options }
            && model.GetConstantValue(options[0].Expression).HasValue)
        {
            call = configured;
        }

        if (model.GetSymbolInfo(call).Symbol is not IMethodSymbol method)
        {
            return false;
        }

        method = method.ReducedFrom ?? method;
        return method is { IsAsync: true, IsVirtual: false, IsAbstract: false, ReturnsVoid: false }
            && (!method.IsOverride || method.IsSealed)
            && method.ReturnType is INamedTypeSymbol { Name: "Task" or "ValueTask", ContainingNamespace: { Name: "Tasks", ContainingNamespace: { Name: "Threading", ContainingNamespace.Name: "System" } } }
            && method.DeclaringSyntaxReferences.Length == 1
            && method.DeclaringSyntaxReferences[0].GetSyntax() switch
            {
                BaseMethodDeclarationSyntax { Body: { } block } => block,
                LocalFunctionStatementSyntax { Body: { } block } => block,
                _ => null,
            } is { Statements.Count: > 0 } calleeBody
            && calleeBody.Statements.All(s => s is TryStatementSyntax attempt && attempt.Catches.Any(IsCatchAll))
            && ReceiverCannotThrow(call.Expression, method, model)
            && call.ArgumentList.Arguments.All(argument => model.GetConstantValue(argument.Expression).HasValue || argument.Expression is LiteralExpressionSyntax
                || (argument.Expression is IdentifierNameSyntax && model.GetSymbolInfo(argument.Expression).Symbol is ILocalSymbol or IParameterSymbol or IFieldSymbol));
    }

    private static bool ReceiverCannotThrow(ExpressionSyntax callee, IMethodSymbol method, SemanticModel model) => callee switch
    {
        IdentifierNameSyntax or GenericNameSyntax => true,
        MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } => true,
        MemberAccessExpressionSyntax { Expression: var receiver } when method.IsStatic && model.GetSymbolInfo(receiver).Symbol is INamedTypeSymbol => true,
        MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax or MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } } member
            when model.GetSymbolInfo(member.Expression).Symbol is ILocalSymbol or IParameterSymbol or IFieldSymbol
            => model.GetTypeInfo(member.Expression).Nullability.FlowState == NullableFlowState.NotNull,
        _ => false,
    };

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
        _ when body.Kind == BodyKind.Timer => "a try with a catch-all (catch (Exception)) around the whole body after the first await, or as the whole body of an async method it awaits, or a loop over a PeriodicTimer (await timer.WaitForNextTickAsync())",
        _ => body.Kind == BodyKind.Runner
            ? "the overload whose work is an (item, cancellationToken) lambda returning ValueTask"
            : "Parallel.ForEachAsync or Brigade's Runner.ForEachAsync, which await each body",
    };
}
