using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Brigade.Analyzers;

/// <summary>
/// Tasks that are complete when they are made: <c>Task.CompletedTask</c>, <c>Task.FromResult</c>/<c>FromException</c>/
/// <c>FromCanceled</c>, their <c>ValueTask</c> twins, <c>default(ValueTask)</c> and <c>new ValueTask&lt;T&gt;(result)</c>,
/// with or without <c>ConfigureAwait</c>. An await of one continues inline, on the thread that reached it.
/// </summary>
internal static class CompleteWhenMade
{
    /// <summary>Tests whether an await's operand is complete when it is made, or a local or readonly field that only ever
    /// holds such tasks (review 67: <c>var done = Task.CompletedTask; ... await done;</c>, <c>await s_done</c>).</summary>
    /// <param name="awaited">An await (or <c>await foreach</c>/<c>await using</c>, never complete here).</param>
    /// <param name="fields">The compilation's readonly fields known complete.</param>
    /// <returns>True when the function goes on without suspending.</returns>
    public static bool IsAwaitOfComplete(IOperation awaited, CompleteFields fields)
    {
        if (awaited is not IAwaitOperation { Operation: { } operand })
        {
            return false;
        }

        var task = Operations.SkipConversions(operand);
        if (task is IInvocationOperation { TargetMethod.Name: "ConfigureAwait", Instance: { } configured } && IsTaskType(configured.Type))
        {
            task = Operations.SkipConversions(configured);
        }

        return task switch
        {
            ILocalReferenceOperation { Local: var local } => HoldsOnlyCompleteTasks(local, Operations.Root(awaited)),
            IFieldReferenceOperation { Field: var field } => fields.HoldsOnlyACompleteTask(field),
            _ => IsComplete(task),
        };
    }

    /// <summary>
    /// Tests whether a local only ever holds tasks complete when made: every assignment of it in the body (its lambdas and
    /// local functions too) stores one (<c>var t = Task.FromResult(1);</c>, <c>if (x) t = Task.FromResult(2);</c>,
    /// <c>Task t; t = Task.CompletedTask;</c>), and it is never passed by <c>ref</c> or <c>out</c>, taken by reference,
    /// deconstructed into, declared by a pattern or an <c>out var</c>, nor a loop's iteration variable.
    /// </summary>
    /// <param name="local">The local read.</param>
    /// <param name="root">The whole body the local is declared in.</param>
    /// <returns>True when at least one assignment exists and all store complete tasks.</returns>
    public static bool HoldsOnlyCompleteTasks(ILocalSymbol local, IOperation root)
    {
        if (local.IsRef)
        {
            return false;
        }

        var assigned = false;
        foreach (var operation in root.DescendantsAndSelf())
        {
            switch (operation)
            {
                case IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, local):
                    var value = declarator.Initializer?.Value ?? (declarator.Parent as IVariableDeclarationOperation)?.Initializer?.Value;
                    if (value is null)
                    {
                        // Task t; (assigned later) is fine; a foreach's iteration variable, a catch's or a using's is not.
                        if (declarator.Parent is not IVariableDeclarationOperation { Parent: IVariableDeclarationGroupOperation { Parent: IBlockOperation or ISwitchCaseOperation } })
                        {
                            return false;
                        }

                        break;
                    }

                    if (!IsComplete(Operations.SkipConversions(value)))
                    {
                        return false;
                    }

                    assigned = true;
                    break;
                case IDeclarationPatternOperation { DeclaredSymbol: var declared } when SymbolEqualityComparer.Default.Equals(declared, local):
                    return false;
                case ILocalReferenceOperation reference when SymbolEqualityComparer.Default.Equals(reference.Local, local):
                    IOperation use = reference;
                    while (use.Parent is IParenthesizedOperation)
                    {
                        use = use.Parent;
                    }

                    if (use.Parent is IAssignmentOperation assignment && assignment.Target == use)
                    {
                        // t = Task.FromResult(2);  t ??= Task.CompletedTask;  (a ref or compound assignment is not)
                        if (assignment is not (ISimpleAssignmentOperation { IsRef: false } or ICoalesceAssignmentOperation)
                            || !IsComplete(Operations.SkipConversions(assignment.Value)))
                        {
                            return false;
                        }

                        assigned = true;
                    }
                    else if (use.Parent is IArgumentOperation { Parameter.RefKind: not RefKind.None } or ITupleOperation or IAddressOfOperation or IDeclarationExpressionOperation
                        || use.Parent is IVariableInitializerOperation { Parent: IVariableDeclaratorOperation { Symbol.IsRef: true } })
                    {
                        return false;
                    }

                    break;
            }
        }

        return assigned;
    }

    /// <summary>Tests whether a task expression is complete when it is made (<c>Task.FromResult(1)</c>,
    /// <c>new ValueTask&lt;int&gt;(7)</c>, <c>Task.CompletedTask</c>, with or without <c>ConfigureAwait</c>).</summary>
    /// <param name="task">The task expression, conversions skipped.</param>
    /// <returns>True when the task is complete as soon as it exists.</returns>
    public static bool IsComplete(IOperation task)
    {
        if (task is IInvocationOperation { TargetMethod.Name: "ConfigureAwait", Instance: { } configured } && IsTaskType(configured.Type))
        {
            task = Operations.SkipConversions(configured);
        }

        return task switch
        {
            IPropertyReferenceOperation { Property: { Name: "CompletedTask", IsStatic: true } property } => IsTaskType(property.ContainingType),
            IInvocationOperation { TargetMethod: { IsStatic: true, Name: "FromResult" or "FromException" or "FromCanceled" } method } => IsTaskType(method.ContainingType),
            IDefaultValueOperation { Type: var type } => IsValueTask(type),
            IObjectCreationOperation { Type: var type, Arguments: var arguments } => IsValueTask(type)
                && arguments.All(a => a.Parameter?.Type is not INamedTypeSymbol { Name: "Task" or "IValueTaskSource" }),
            _ => false,
        };
    }

    private static bool IsTaskType(ITypeSymbol? type) =>
        type is INamedTypeSymbol { Name: "Task" or "ValueTask" } named && IsInTasksNamespace(named);

    private static bool IsValueTask(ITypeSymbol? type) =>
        type is INamedTypeSymbol { Name: "ValueTask" } named && IsInTasksNamespace(named);

    private static bool IsInTasksNamespace(INamedTypeSymbol type) =>
        type.ContainingNamespace is { Name: "Tasks", ContainingNamespace: { Name: "Threading", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } };
}
