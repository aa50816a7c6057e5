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
    /// <summary>Tests whether an await's operand is complete when it is made, so the await never suspends.</summary>
    /// <param name="awaited">An await (or <c>await foreach</c>/<c>await using</c>, never complete here).</param>
    /// <returns>True when the function goes on without suspending.</returns>
    public static bool IsAwaitOfComplete(IOperation awaited) =>
        awaited is IAwaitOperation { Operation: { } operand } && IsComplete(Operations.SkipConversions(operand));

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
