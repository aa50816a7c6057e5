using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Brigade.Analyzers;

/// <summary>
/// BRG2006: an async method (or lambda, or local function) that accesses a <c>Shared&lt;T&gt;</c> before and after an
/// <c>await</c> without calling <c>RaceDetector.EnterFlow()</c> first. Outside a logical flow the race detector names
/// code by its thread: resumed on another thread, the method looks like a second thread and the detector reports a race
/// between its own accesses. Not reported where a flow already exists: bodies of <c>RaceDetector.Run</c>, a Brigade
/// run's work, Brigade.Testing's explorations, or after <c>EnterFlow</c> in the method or one around it.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
internal sealed class BRG2006SharedAcrossAwaitAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.BRG2006SharedAcrossAwait);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var known = KnownSymbols.Create(start.Compilation);
            if (known.Shared is null)
            {
                return;
            }

            start.RegisterOperationAction(c => AnalyzeFunction(c, known, ((IAnonymousFunctionOperation)c.Operation).Symbol, ((IAnonymousFunctionOperation)c.Operation).Body), OperationKind.AnonymousFunction);
            start.RegisterOperationAction(c => AnalyzeFunction(c, known, ((ILocalFunctionOperation)c.Operation).Symbol, ((ILocalFunctionOperation)c.Operation).Body), OperationKind.LocalFunction);
            start.RegisterOperationAction(c => AnalyzeFunction(c, known, c.ContainingSymbol as IMethodSymbol, ((IMethodBodyBaseOperation)c.Operation).BlockBody ?? ((IMethodBodyBaseOperation)c.Operation).ExpressionBody), OperationKind.MethodBody);
        });
    }

    private static void AnalyzeFunction(OperationAnalysisContext context, KnownSymbols known, IMethodSymbol? function, IOperation? body)
    {
        if (function is not { IsAsync: true } || body is null)
        {
            return;
        }

        IOperation? firstAccess = null;
        IOperation? accessAfterAwait = null;
        var awaited = false;
        var loopsWithAwait = new HashSet<IOperation>();
        var operations = Operations.DescendantsInFunction(body).ToList();
        foreach (var operation in operations)
        {
            if (IsAwait(operation))
            {
                foreach (var loop in Loops(operation, body))
                {
                    loopsWithAwait.Add(loop);
                }
            }
        }

        foreach (var operation in operations)
        {
            if (IsAwait(operation))
            {
                awaited = firstAccess is not null;
                continue;
            }

            if (!IsSharedAccess(operation, known))
            {
                continue;
            }

            firstAccess ??= operation;
            // After an await, or in a loop with an await: the next iteration's access follows the await.
            if (awaited || Loops(operation, body).Any(loopsWithAwait.Contains))
            {
                accessAfterAwait = operation;
                break;
            }
        }

        if (accessAfterAwait is null || HasFlow(body, firstAccess!, known))
        {
            return;
        }

        var name = SharedName(accessAfterAwait);
        var where = function.MethodKind switch
        {
            MethodKind.AnonymousFunction => "this async lambda",
            MethodKind.LocalFunction => "'" + function.Name + "'",
            _ => "'" + function.Name + "'",
        };
        context.ReportDiagnostic(Diagnostic.Create(Descriptors.BRG2006SharedAcrossAwait, accessAfterAwait.Syntax.GetLocation(), name, where));
    }

    private static bool IsAwait(IOperation operation) => operation switch
    {
        IAwaitOperation => true,
        IForEachLoopOperation loop => loop.IsAsynchronous,
        IUsingOperation usingOperation => usingOperation.IsAsynchronous,
        IUsingDeclarationOperation declaration => declaration.IsAsynchronous,
        _ => false,
    };

    private static IEnumerable<IOperation> Loops(IOperation operation, IOperation body)
    {
        for (var current = operation.Parent; current is not null && current != body; current = current.Parent)
        {
            if (current is ILoopOperation)
            {
                yield return current;
            }
        }
    }

    private static bool IsSharedAccess(IOperation operation, KnownSymbols known) => operation is IInvocationOperation invocation
        && (KnownSymbols.Is(invocation.TargetMethod.ContainingType, known.Shared) || KnownSymbols.Is(invocation.TargetMethod.ContainingType, known.SharedExtensions));

    private static string SharedName(IOperation access)
    {
        var invocation = (IInvocationOperation)access;
        var receiver = invocation.Instance ?? (invocation.Arguments.Length > 0 ? invocation.Arguments[0].Value : null);
        return Operations.SkipConversions(receiver!) switch
        {
            ILocalReferenceOperation local => local.Local.Name,
            IParameterReferenceOperation parameter => parameter.Parameter.Name,
            IFieldReferenceOperation field => field.Field.Name,
            IPropertyReferenceOperation property => property.Property.Name,
            _ => "Shared<T>",
        };
    }

    // A flow exists if EnterFlow runs before the first access (here or in a function around this one), or if this
    // function is, or sits in, a body Brigade runs as a flow.
    private static bool HasFlow(IOperation body, IOperation firstAccess, KnownSymbols known)
    {
        var position = firstAccess.Syntax.SpanStart;
        var root = body;
        for (var current = body.Parent; current is not null; current = current.Parent)
        {
            root = current;
            if (current is IAnonymousFunctionOperation lambda && BodyContext.TryGet(lambda, known, out var context) && context.IsRaceDetectorFlow)
            {
                return true;
            }
        }

        foreach (var operation in root.DescendantsAndSelf())
        {
            if (operation is IInvocationOperation { TargetMethod.Name: "EnterFlow" } enter && KnownSymbols.Is(enter.TargetMethod.ContainingType, known.RaceDetector)
                && enter.Syntax.SpanStart < position && IsOnPathTo(enter, firstAccess))
            {
                return true;
            }
        }

        return false;
    }

    // EnterFlow in this function or in one that contains it (not in a sibling lambda).
    private static bool IsOnPathTo(IOperation enter, IOperation access)
    {
        var function = FunctionOf(enter);
        for (var current = access.Parent; current is not null; current = current.Parent)
        {
            if (current == function)
            {
                return true;
            }
        }

        return function is null;
    }

    private static IOperation? FunctionOf(IOperation operation)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            if (Operations.IsNestedFunction(current))
            {
                return current;
            }
        }

        return null;
    }
}
