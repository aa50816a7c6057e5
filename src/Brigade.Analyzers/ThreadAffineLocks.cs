using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Brigade.Analyzers;

/// <summary>
/// The locks that belong to the thread that took them (BRG2007): <c>Monitor</c>, <c>Mutex</c>, <c>ReaderWriterLockSlim</c>,
/// <c>SpinLock</c> and <c>System.Threading.Lock</c>. Released by another thread, they throw and stay held. Not
/// <c>SemaphoreSlim</c> or <c>Semaphore</c>: any thread may release them. Recognised by symbol (type and method name).
/// </summary>
internal static class ThreadAffineLocks
{
    /// <summary>A thread-affine acquisition or release.</summary>
    /// <param name="Family">The lock's type and mode, such as <c>Monitor</c> or <c>ReaderWriterLockSlim.Read</c>: an acquisition and
    /// a release of the same lock match when their families are equal.</param>
    /// <param name="Lock">The lock expression: the argument of <c>Monitor.Enter</c>, the instance otherwise.</param>
    /// <param name="Call">The method as written in messages, such as <c>Monitor.Enter</c>.</param>
    /// <param name="Release">The matching release, such as <c>Monitor.Exit</c>.</param>
    /// <param name="Exception">What the release throws on another thread.</param>
    internal readonly record struct LockCall(string Family, IOperation Lock, string Call, string Release, string Exception);

    /// <summary>Recognises a thread-affine acquisition.</summary>
    /// <param name="invocation">The call.</param>
    /// <param name="call">The acquisition.</param>
    /// <returns>True for Monitor.Enter/TryEnter, Mutex.WaitOne, ReaderWriterLockSlim.(Try)Enter*Lock, SpinLock.Enter/TryEnter
    /// and Lock.Enter/TryEnter.</returns>
    public static bool IsAcquire(IInvocationOperation invocation, out LockCall call)
    {
        call = default;
        var method = invocation.TargetMethod;
        if (!InSystemThreading(method.ContainingType))
        {
            return false;
        }

        var lockOperation = Operations.SkipConversions(method.IsStatic ? (invocation.Arguments.Length > 0 ? invocation.Arguments[0].Value : invocation) : invocation.Instance ?? invocation);
        switch (method.ContainingType.Name, method.Name)
        {
            case ("Monitor", "Enter" or "TryEnter") when invocation.Arguments.Length > 0:
                call = new LockCall("Monitor", lockOperation, "Monitor." + method.Name, "Monitor.Exit", "SynchronizationLockException");
                return true;
            case ("WaitHandle" or "Mutex", "WaitOne") when invocation.Instance is { } instance && IsMutex(Operations.SkipConversions(instance).Type):
                call = new LockCall("Mutex", lockOperation, "Mutex.WaitOne", "Mutex.ReleaseMutex", "ApplicationException");
                return true;
            case ("ReaderWriterLockSlim", var name) when Mode(name, "Enter") is { } mode:
                call = new LockCall("ReaderWriterLockSlim." + mode, lockOperation, "ReaderWriterLockSlim." + name, "ReaderWriterLockSlim.Exit" + mode + "Lock", "SynchronizationLockException");
                return true;
            case ("SpinLock", "Enter" or "TryEnter"):
                call = new LockCall("SpinLock", lockOperation, "SpinLock." + method.Name, "SpinLock.Exit", "SynchronizationLockException");
                return true;
            case ("Lock", "Enter" or "TryEnter"):
                call = new LockCall("Lock", lockOperation, "Lock." + method.Name, "Lock.Exit", "SynchronizationLockException");
                return true;
            default:
                return false;
        }
    }

    /// <summary>Recognises a thread-affine release.</summary>
    /// <param name="invocation">The call.</param>
    /// <param name="family">The family it releases (see <see cref="LockCall.Family"/>).</param>
    /// <param name="lockOperation">The lock released.</param>
    /// <returns>True for Monitor.Exit, Mutex.ReleaseMutex, ReaderWriterLockSlim.Exit*Lock, SpinLock.Exit and Lock.Exit.</returns>
    public static bool IsRelease(IInvocationOperation invocation, out string family, out IOperation? lockOperation)
    {
        family = "";
        lockOperation = null;
        var method = invocation.TargetMethod;
        if (!InSystemThreading(method.ContainingType))
        {
            return false;
        }

        switch (method.ContainingType.Name, method.Name)
        {
            case ("Monitor", "Exit") when invocation.Arguments.Length > 0:
                family = "Monitor";
                lockOperation = Operations.SkipConversions(invocation.Arguments[0].Value);
                return true;
            case ("Mutex", "ReleaseMutex"):
                family = "Mutex";
                break;
            case ("ReaderWriterLockSlim", var name) when name.StartsWith("Exit", StringComparison.Ordinal) && Mode(name, "Exit") is { } mode:
                family = "ReaderWriterLockSlim." + mode;
                break;
            case ("SpinLock" or "Lock", "Exit"):
                family = method.ContainingType.Name;
                break;
            default:
                return false;
        }

        lockOperation = invocation.Instance is null ? null : Operations.SkipConversions(invocation.Instance);
        return lockOperation is not null;
    }

    /// <summary>Gets a key that is equal for two expressions naming the same lock: the symbol read (a field, property, local or
    /// parameter, of <c>this</c> or static, with what it is read from), else the code's text without spaces.</summary>
    /// <param name="lockOperation">The lock expression.</param>
    /// <returns>The key.</returns>
    public static string Key(IOperation lockOperation)
    {
        lockOperation = Operations.SkipConversions(lockOperation);
        switch (lockOperation)
        {
            case ILocalReferenceOperation local:
                return "local " + local.Local.Name;
            case IParameterReferenceOperation parameter:
                return "parameter " + parameter.Parameter.Name;
            case IInstanceReferenceOperation:
                return "this";
            case IMemberReferenceOperation member:
                var owner = member.Instance is null || member.Instance is IInstanceReferenceOperation ? "" : Key(member.Instance) + ".";
                return owner + member.Member.ToDisplayString();
            default:
                return new string(lockOperation.Syntax.ToString().Where(c => !char.IsWhiteSpace(c)).ToArray());
        }
    }

    /// <summary>Gets the lock's name for messages: its code (<c>_sync</c>, <c>this.gate</c>).</summary>
    /// <param name="lockOperation">The lock expression.</param>
    /// <returns>The name.</returns>
    public static string Name(IOperation lockOperation) => Operations.SkipConversions(lockOperation).Syntax.ToString();

    /// <summary>Tests whether a method's name, by its text alone, is a thread-affine release (for the bodies of <c>Dispose</c> methods,
    /// read as syntax): <c>Exit</c>, <c>ReleaseMutex</c>, <c>ExitReadLock</c>, <c>ExitWriteLock</c>, <c>ExitUpgradeableReadLock</c>.</summary>
    /// <param name="name">The name called.</param>
    /// <returns>True for those names.</returns>
    public static bool IsReleaseName(string name) => name is "Exit" or "ReleaseMutex" or "ExitReadLock" or "ExitWriteLock" or "ExitUpgradeableReadLock";

    private static bool IsMutex(ITypeSymbol? type)
    {
        for (var t = type; t is not null; t = t.BaseType)
        {
            if (t.Name == "Mutex" && InSystemThreading(t))
            {
                return true;
            }
        }

        return false;
    }

    // "Read", "Write" or "UpgradeableRead" of ReaderWriterLockSlim's EnterReadLock, TryEnterWriteLock, ExitUpgradeableReadLock...
    private static string? Mode(string name, string verb)
    {
        var start = name.StartsWith("Try" + verb, StringComparison.Ordinal) ? verb.Length + 3 : name.StartsWith(verb, StringComparison.Ordinal) ? verb.Length : -1;
        if (start < 0 || !name.EndsWith("Lock", StringComparison.Ordinal) || (verb == "Exit" && start != verb.Length))
        {
            return null;
        }

        var mode = name.Substring(start, name.Length - start - 4);
        return mode is "Read" or "Write" or "UpgradeableRead" ? mode : null;
    }

    private static bool InSystemThreading(ITypeSymbol? type) =>
        type?.ContainingNamespace is { Name: "Threading", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } };
}
