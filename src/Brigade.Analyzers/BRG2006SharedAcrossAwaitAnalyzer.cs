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

        // Accesses and awaits in source order; an access of variable V after an await that follows an earlier access of
        // V, or an access of V in a loop that awaits (the next iteration follows the await), is one the detector would
        // see from another thread. A variable declared in the loop is a new one each iteration.
        var operations = Operations.DescendantsInFunction(body).ToList();
        var loopsWithAwait = new HashSet<IOperation>();
        foreach (var operation in operations)
        {
            if (Operations.IsAwait(operation))
            {
                foreach (var loop in Loops(operation, body))
                {
                    loopsWithAwait.Add(loop);
                }
            }
        }

        var accessedBeforeAwait = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        var accessedSinceAwait = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        var firstAccess = new Dictionary<ISymbol, IOperation>(SymbolEqualityComparer.Default);
        IOperation? accessAfterAwait = null;
        ISymbol? variable = null;
        foreach (var operation in operations)
        {
            if (Operations.IsAwait(operation))
            {
                accessedBeforeAwait.UnionWith(accessedSinceAwait);
                accessedSinceAwait.Clear();
                continue;
            }

            if (!IsSharedAccess(operation, known) || Receiver(operation) is not { } receiver)
            {
                continue;
            }

            if (!firstAccess.ContainsKey(receiver))
            {
                firstAccess[receiver] = operation;
            }

            accessedSinceAwait.Add(receiver);
            if (accessedBeforeAwait.Contains(receiver) || Loops(operation, body).Any(loop => loopsWithAwait.Contains(loop) && !IsDeclaredIn(receiver, loop)))
            {
                accessAfterAwait = operation;
                variable = receiver;
                break;
            }
        }

        if (accessAfterAwait is null || HasFlow(body, firstAccess[variable!], known))
        {
            return;
        }

        var name = variable!.Name;
        var where = function.MethodKind switch
        {
            MethodKind.AnonymousFunction => "this async lambda",
            MethodKind.LocalFunction => "'" + function.Name + "'",
            _ => "'" + function.Name + "'",
        };
        context.ReportDiagnostic(Diagnostic.Create(Descriptors.BRG2006SharedAcrossAwait, accessAfterAwait.Syntax.GetLocation(), name, where));
    }

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

    // The variable a Shared<T> access goes through (a local, parameter, field or property), or null if the code does not name one.
    private static ISymbol? Receiver(IOperation access)
    {
        var invocation = (IInvocationOperation)access;
        var receiver = invocation.Instance ?? (invocation.Arguments.Length > 0 ? invocation.Arguments[0].Value : null);
        return receiver is null ? null : Operations.SkipConversions(receiver) switch
        {
            ILocalReferenceOperation local => local.Local,
            IParameterReferenceOperation parameter => parameter.Parameter,
            IFieldReferenceOperation field => field.Field,
            IPropertyReferenceOperation property => property.Property,
            _ => null,
        };
    }

    private static bool IsDeclaredIn(ISymbol symbol, IOperation loop) =>
        symbol is ILocalSymbol && symbol.DeclaringSyntaxReferences.Any(r => r.SyntaxTree == loop.Syntax.SyntaxTree && loop.Syntax.Span.Contains(r.Span));

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
