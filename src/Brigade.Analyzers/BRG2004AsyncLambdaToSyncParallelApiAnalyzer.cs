using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Brigade.Analyzers;

/// <summary>
/// BRG2004: an async lambda (or an async void method group) given to a synchronous parallel API as an Action:
/// <c>Parallel.ForEach(items, async x => await SaveAsync(x))</c>. The lambda is async void: the loop counts each item
/// done at its first await and returns while the work still runs; an exception after that await crashes the process.
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
            if (known.Parallel is null && known.Runner is null && known.ParallelEnumerable is null && known.Thread is null)
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
        Report(context, lambda, known, location);
    }

    private static void AnalyzeMethodReference(OperationAnalysisContext context, KnownSymbols known)
    {
        var reference = (IMethodReferenceOperation)context.Operation;
        if (reference.Method.IsAsync && reference.Method.ReturnsVoid)
        {
            Report(context, reference, known, reference.Syntax.GetLocation());
        }
    }

    private static void Report(OperationAnalysisContext context, IOperation function, KnownSymbols known, Location location)
    {
        if (!BodyContext.TryGet(function, known, out var body) || !IsSynchronousParallelApi(body))
        {
            return;
        }

        var replacement = Replacement(body, known);
        var properties = ImmutableDictionary<string, string?>.Empty.Add(ReplacementKey, replacement);
        context.ReportDiagnostic(Diagnostic.Create(Descriptors.BRG2004AsyncLambdaToSyncParallelApi, location, properties, body.ApiName, Suggestion(replacement, body)));
    }

    private static bool IsSynchronousParallelApi(BodyContext body) => body.Kind switch
    {
        BodyKind.ParallelLoop or BodyKind.ParallelInvoke or BodyKind.Plinq or BodyKind.DedicatedThread or BodyKind.Runner => true,
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
        _ => body.Kind == BodyKind.Runner
            ? "the overload whose work is an (item, cancellationToken) lambda returning ValueTask"
            : "Parallel.ForEachAsync or Brigade's Runner.ForEachAsync, which await each body",
    };
}
