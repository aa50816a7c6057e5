using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Brigade.Analyzers;

/// <summary>
/// BRG2008: an async function (or any function returning a task) given to <c>Task.Factory.StartNew</c> or <c>ContinueWith</c>,
/// whose <c>Task&lt;Task&gt;</c> is then awaited, waited for or used as a plain <c>Task</c> without <c>Unwrap()</c>. The outer
/// task completes at the function's first await: what waits on it does not wait for the rest of the work, and exceptions
/// thrown after that await are lost. A nested task dropped (fire and forget), unwrapped (<c>Unwrap()</c>, <c>await await</c>)
/// or kept as <c>Task&lt;Task&gt;</c> is not reported.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
internal sealed class BRG2008NestedTaskNotUnwrappedAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The property a diagnostic carries with the fix to offer: <see cref="RunFix"/> or <see cref="UnwrapFix"/>.</summary>
    public const string FixKey = "Fix";

    /// <summary>The fix value for <c>Task.Factory.StartNew(f)</c> and <c>StartNew(f, ct)</c>: <c>Task.Run</c>, which unwraps.</summary>
    public const string RunFix = "Task.Run";

    /// <summary>The fix value where options, a scheduler or state must stay: <c>.Unwrap()</c> on the result.</summary>
    public const string UnwrapFix = "Unwrap";

    private enum Use
    {
        /// <summary>Nothing waits on the outer task as if it were the work (dropped, or kept as a nested task).</summary>
        Neutral,

        /// <summary>Unwrapped: <c>Unwrap()</c>, or awaited and the inner task used.</summary>
        Unwrapped,

        /// <summary>Awaited or waited for as the work, or converted to a plain task.</summary>
        Wrong,
    }

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.BRG2008NestedTaskNotUnwrapped);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var known = KnownSymbols.Create(start.Compilation);
            if (known.Task is null || known.TaskOfT is null)
            {
                return;
            }

            start.RegisterOperationAction(c => Analyze(c, known), OperationKind.Invocation);
        });
    }

    private static void Analyze(OperationAnalysisContext context, KnownSymbols known)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        var isStartNew = method.Name == "StartNew" && (KnownSymbols.Is(method.ContainingType, known.TaskFactory) || KnownSymbols.Is(method.ContainingType, known.TaskFactoryOfT));
        var isContinueWith = method.Name == "ContinueWith" && (KnownSymbols.Is(method.ContainingType, known.Task) || KnownSymbols.Is(method.ContainingType, known.TaskOfT));
        if ((!isStartNew && !isContinueWith)
            || invocation.Type is not INamedTypeSymbol { TypeArguments.Length: 1 } result || !KnownSymbols.Is(result, known.TaskOfT)
            || !known.IsTaskLike(result.TypeArguments[0])
            || FunctionArgument(invocation) is not { } function)
        {
            return;
        }

        if (UseOf(invocation, followLocals: true) != Use.Wrong)
        {
            return;
        }

        var fix = isStartNew && IsPlainStartNew(invocation, known) ? RunFix : UnwrapFix;
        var properties = ImmutableDictionary<string, string?>.Empty.Add(FixKey, fix);
        var api = isStartNew ? (invocation.Instance is IPropertyReferenceOperation { Property.Name: "Factory", Property.IsStatic: true } ? "Task.Factory.StartNew" : "TaskFactory.StartNew") : "ContinueWith";
        var suggestion = fix == RunFix ? "Task.Run, which unwraps it" : ".Unwrap() on the result, which keeps the options and the scheduler";
        context.ReportDiagnostic(Diagnostic.Create(
            Descriptors.BRG2008NestedTaskNotUnwrapped,
            FunctionLocation(function),
            ImmutableArray.Create(invocation.Syntax.GetLocation()),
            properties,
            api,
            result.TypeArguments[0].ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat),
            suggestion));
    }

    // The function argument (a lambda, an anonymous method, a method group or any delegate).
    private static IOperation? FunctionArgument(IInvocationOperation invocation)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter?.Type.TypeKind == TypeKind.Delegate)
            {
                var value = argument.Value;
                while (value is IDelegateCreationOperation or IConversionOperation or IParenthesizedOperation)
                {
                    value = value switch
                    {
                        IDelegateCreationOperation creation => creation.Target,
                        IConversionOperation conversion => conversion.Operand,
                        _ => ((IParenthesizedOperation)value).Operand,
                    };
                }

                return value;
            }
        }

        return null;
    }

    private static Location FunctionLocation(IOperation function) => function.Syntax switch
    {
        LambdaExpressionSyntax { AsyncKeyword.RawKind: not 0 } l => Location.Create(l.SyntaxTree, Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(l.SpanStart, l.ArrowToken.Span.End)),
        AnonymousMethodExpressionSyntax { AsyncKeyword.RawKind: not 0 } a => Location.Create(a.SyntaxTree, Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(a.SpanStart, a.DelegateKeyword.Span.End)),
        _ => function.Syntax.GetLocation(),
    };

    // Task.Factory.StartNew(f) or StartNew(f, cancellationToken): Task.Run does the same (on the default scheduler) and unwraps.
    private static bool IsPlainStartNew(IInvocationOperation invocation, KnownSymbols known) =>
        invocation.Instance is IPropertyReferenceOperation { Property.Name: "Factory", Property.IsStatic: true } factory
        && KnownSymbols.Is(factory.Property.ContainingType, known.Task)
        && invocation.Arguments.Length is 1 or 2
        && invocation.Arguments.Skip(1).All(a => KnownSymbols.Is(a.Parameter?.Type, known.CancellationToken))
        && invocation.Arguments[0].Parameter?.Type is INamedTypeSymbol { DelegateInvokeMethod.Parameters.IsEmpty: true };

    // How the nested task a call returns is used where it is produced (and, for a local it initialises, where the local is read).
    private static Use UseOf(IOperation produced, bool followLocals)
    {
        var current = produced;
        while (true)
        {
            var parent = current.Parent;
            switch (parent)
            {
                case IParenthesizedOperation:
                    current = parent;
                    continue;
                case IConversionOperation { IsImplicit: true } conversion when SymbolEqualityComparer.Default.Equals(conversion.Type, conversion.Operand.Type):
                    current = parent;
                    continue;
                case IConversionOperation conversion when IsPlainTask(ElementOf(conversion.Type)):
                    // Task t = Task.Factory.StartNew(async ...), Task.WaitAll(tasks): the outer task stands for the work.
                    return Use.Wrong;
                case IConversionOperation conversion when ElementOf(conversion.Type) is INamedTypeSymbol { Arity: 1, Name: "Task" }:
                    // foreach (var t in items.Select(...)): still the nested tasks.
                    current = parent;
                    continue;
                case IConversionOperation:
                    return Use.Neutral;
                case IAwaitOperation awaited:
                    return awaited.Parent is IExpressionStatementOperation ? Use.Wrong : Use.Unwrapped;
                case IInvocationOperation call when call.Instance == current:
                    switch (call.TargetMethod.Name)
                    {
                        case "ConfigureAwait":
                            current = call;
                            continue;
                        case "Wait" or "ContinueWith" or "GetAwaiter":
                            return Use.Wrong;
                        default:
                            return Use.Neutral;
                    }

                case IPropertyReferenceOperation { Property.Name: "Result" } result when result.Instance == current:
                    // t.Result.Wait(), await t.Result: the inner task is used (review 60); dropped, it is not.
                    return result.Parent is IExpressionStatementOperation or ISimpleAssignmentOperation { Target: IDiscardOperation } ? Use.Wrong : Use.Unwrapped;
                case IReturnOperation returned when returned.ReturnedValue == current && SelectOf(returned) is { } select:
                    // items.Select(i => Task.Factory.StartNew(async ...)): the Select's elements are the nested tasks (review 60).
                    current = select;
                    continue;
                case IArgumentOperation { Parameter.Ordinal: 0, Parent: IInvocationOperation { TargetMethod: { IsExtensionMethod: true, Name: "ToArray" or "ToList" or "AsEnumerable" } } copy }:
                    current = copy;
                    continue;
                case IArgumentOperation { Parent: IInvocationOperation call }:
                    return call.TargetMethod.Name == "Unwrap" ? Use.Unwrapped
                        : call.TargetMethod.Name is "WaitAll" or "WaitAny" or "WhenAll" or "WhenAny" ? Use.Wrong
                        : Use.Neutral;
                case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator } when followLocals:
                    return UseOfLocal(declarator.Symbol, current);
                case ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } assignment when followLocals && assignment.Value == current:
                    return UseOfLocal(target.Local, current);
                default:
                    return Use.Neutral;
            }
        }
    }

    // A collection's element type (the type itself when it is not a collection).
    private static ITypeSymbol? ElementOf(ITypeSymbol? type) => type switch
    {
        IArrayTypeSymbol array => array.ElementType,
        INamedTypeSymbol { Arity: 1, Name: not "Task" and not "ValueTask" } generic => generic.TypeArguments[0],
        _ => type,
    };

    private static bool IsPlainTask(ITypeSymbol? type) =>
        type is INamedTypeSymbol { Arity: 0, Name: "Task", ContainingNamespace: { Name: "Tasks", ContainingNamespace: { Name: "Threading", ContainingNamespace.Name: "System" } } };

    // The Enumerable.Select call whose selector returns this value, if any.
    private static IInvocationOperation? SelectOf(IReturnOperation returned)
    {
        for (var current = returned.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case IAnonymousFunctionOperation lambda:
                    var argument = lambda.Parent is IDelegateCreationOperation creation ? creation.Parent : lambda.Parent;
                    return argument is IArgumentOperation { Parent: IInvocationOperation { TargetMethod: { Name: "Select", ContainingType.Name: "Enumerable" } } select } ? select : null;
                case ILocalFunctionOperation or IMethodBodyBaseOperation:
                    return null;
            }
        }

        return null;
    }

    private static Use UseOfLocal(ILocalSymbol local, IOperation produced)
    {
        var use = Use.Neutral;
        // Reads in lambdas too: the local is captured (xunit's Assert.ThrowsAsync(() => t), review 61).
        foreach (var reference in FunctionRoot(produced).Descendants().OfType<ILocalReferenceOperation>())
        {
            if (!SymbolEqualityComparer.Default.Equals(reference.Local, local) || reference.Syntax.SpanStart < produced.Syntax.SpanStart
                || reference.Parent is ISimpleAssignmentOperation assignment && assignment.Target == reference)
            {
                continue;
            }

            switch (UseOf(reference, followLocals: false))
            {
                case Use.Unwrapped:
                    return Use.Unwrapped;
                case Use.Wrong:
                    use = Use.Wrong;
                    break;
            }
        }

        return use;
    }

    // The function (lambda, local function or the whole member) whose code holds the operation.
    private static IOperation FunctionRoot(IOperation operation)
    {
        while (operation.Parent is { } parent)
        {
            if (Operations.IsNestedFunction(parent))
            {
                return parent;
            }

            operation = parent;
        }

        return operation;
    }
}
