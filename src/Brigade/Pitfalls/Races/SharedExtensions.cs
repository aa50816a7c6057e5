using System.Numerics;
using System.Runtime.CompilerServices;

namespace Brigade.Synchronization;

/// <summary>Atomic arithmetic on numeric <see cref="Shared{T}"/> variables.</summary>
public static class SharedExtensions
{
    /// <summary>Adds one atomically.</summary>
    /// <typeparam name="T">A numeric type.</typeparam>
    /// <param name="variable">The variable.</param>
    /// <param name="callerMember">Filled in by the compiler: where the access is, for reports.</param>
    /// <param name="callerFile">Filled in by the compiler.</param>
    /// <param name="callerLine">Filled in by the compiler.</param>
    /// <returns>The new value.</returns>
    public static T Increment<T>(this Shared<T> variable, [CallerMemberName] string callerMember = "", [CallerFilePath] string callerFile = "", [CallerLineNumber] int callerLine = 0)
        where T : INumber<T>
    {
        ArgumentNullException.ThrowIfNull(variable);
        return variable.Update(static v => v + T.One, callerMember, callerFile, callerLine);
    }

    /// <summary>Adds <paramref name="amount"/> atomically.</summary>
    /// <typeparam name="T">A numeric type.</typeparam>
    /// <param name="variable">The variable.</param>
    /// <param name="amount">What to add.</param>
    /// <param name="callerMember">Filled in by the compiler: where the access is, for reports.</param>
    /// <param name="callerFile">Filled in by the compiler.</param>
    /// <param name="callerLine">Filled in by the compiler.</param>
    /// <returns>The new value.</returns>
    public static T Add<T>(this Shared<T> variable, T amount, [CallerMemberName] string callerMember = "", [CallerFilePath] string callerFile = "", [CallerLineNumber] int callerLine = 0)
        where T : INumber<T>
    {
        ArgumentNullException.ThrowIfNull(variable);
        return variable.Update(v => v + amount, callerMember, callerFile, callerLine);
    }
}
