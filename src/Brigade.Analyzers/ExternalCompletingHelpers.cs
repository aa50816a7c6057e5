using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Brigade.Analyzers;

/// <summary>
/// The helpers of another assembly that wait for the task they extend (review 47: akka.net's test kit,
/// <c>await t.ShouldCompleteWithin(3.Seconds()); t.Result</c>). Their bodies are not there to read (<see
/// cref="CompletingHelpers"/> reads the compilation's own); what their metadata says is a name, a receiver and a return
/// type. No attribute in .NET marks such a method, so the name decides: an extension method whose receiver (its first,
/// by-value parameter) is a task, named as a wait for it (<c>WithTimeout</c>, <c>WithCancellation</c>,
/// <c>TimeoutAfter</c>, <c>OrTimeout</c>, <c>DefaultTimeout</c>, <c>WaitAsync</c>, <c>ShouldCompleteWithin</c>,
/// <c>AwaitWithTimeout</c>, <c>CompleteWithin</c>, an <c>Async</c> suffix allowed), returning something to await. Awaited,
/// it leaves its receiver complete, or throws as <c>Task.WaitAsync</c> does when it gives up. One that returns a
/// <c>bool</c> for a task that is not one (<c>Task&lt;bool&gt; AwaitWithTimeout(this Task t, TimeSpan timeout)</c>) says
/// whether the task completed in time, as <c>t.Wait(timeout)</c> does: it completes it only where that bool is asserted
/// or tested.
/// </summary>
internal static class ExternalCompletingHelpers
{
    private static readonly ImmutableHashSet<string> s_names = ImmutableHashSet.Create(
        StringComparer.Ordinal,
        "WithTimeout",
        "WithCancellation",
        "TimeoutAfter",
        "OrTimeout",
        "DefaultTimeout",
        "WaitAsync",
        "ShouldCompleteWithin",
        "AwaitWithTimeout",
        "CompleteWithin");

    /// <summary>Finds the task an awaited call of a waiting helper of another assembly waits for.</summary>
    /// <param name="call">The awaited invocation (its wrappers, <c>ConfigureAwait</c>, skipped).</param>
    /// <param name="known">The known types.</param>
    /// <param name="returnsFlag">Whether the helper returns a bool saying whether the task completed.</param>
    /// <returns>The receiver (conversions skipped); null if the call is not such a helper.</returns>
    public static IOperation? Receiver(IInvocationOperation call, KnownSymbols known, out bool returnsFlag)
    {
        returnsFlag = false;
        var method = call.TargetMethod;
        if (!method.IsExtensionMethod || method.Parameters.Length == 0 || !IsWaitName(method.Name)
            || method.Parameters[0] is not { RefKind: RefKind.None } receiverParameter || !known.IsTaskLike(receiverParameter.Type)
            || !known.IsTaskLike(method.ReturnType)
            || call.SemanticModel is not { } model || SymbolEqualityComparer.Default.Equals(method.ContainingAssembly, model.Compilation.Assembly))
        {
            // A helper of the compilation has a body, which CompletingHelpers reads instead.
            return null;
        }

        foreach (var argument in call.Arguments)
        {
            if (argument.Parameter?.Ordinal == 0)
            {
                returnsFlag = ResultIsBool(method.ReturnType) && !ResultIsBool(receiverParameter.Type);
                return Operations.SkipConversions(argument.Value);
            }
        }

        return null;
    }

    private static bool IsWaitName(string name) =>
        s_names.Contains(name) || (name.EndsWith("Async", StringComparison.Ordinal) && s_names.Contains(name.Substring(0, name.Length - "Async".Length)));

    // Task<bool>, ValueTask<bool>.
    private static bool ResultIsBool(ITypeSymbol type) =>
        type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } named && named.TypeArguments[0].SpecialType == SpecialType.System_Boolean;
}
