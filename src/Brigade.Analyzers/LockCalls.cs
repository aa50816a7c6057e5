using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Brigade.Analyzers;

/// <summary>Recognises lock acquisitions by symbol: BCL locks, Brigade's primitives and, in a <c>using</c>, lock-like methods.</summary>
internal static class LockCalls
{
    /// <summary>Tests whether a call takes a lock (exclusively), known by its type and name.</summary>
    /// <param name="method">The method called.</param>
    /// <param name="known">The known types.</param>
    /// <returns>True for Monitor.Enter, Lock.Enter/EnterScope, SpinLock.Enter, SemaphoreSlim.Wait(Async), WaitOne,
    /// ReaderWriterLockSlim's write locks, and Brigade's Acquire methods other than reads.</returns>
    public static bool IsKnownAcquire(IMethodSymbol method, KnownSymbols known)
    {
        var type = method.ContainingType;
        if (known.IsBrigadePrimitive(type))
        {
            return method.Name.Contains("Acquire") && !method.Name.Contains("Read");
        }

        if (type.ContainingNamespace?.ToDisplayString() != "System.Threading")
        {
            return false;
        }

        return (type.Name, method.Name) switch
        {
            ("Monitor", "Enter" or "TryEnter") => true,
            ("Lock", "Enter" or "TryEnter" or "EnterScope") => true,
            ("SpinLock", "Enter" or "TryEnter") => true,
            ("SemaphoreSlim", "Wait" or "WaitAsync") => true,
            ("Mutex" or "Semaphore" or "WaitHandle", "WaitOne") => true,
            ("ReaderWriterLockSlim", "EnterWriteLock" or "TryEnterWriteLock" or "EnterUpgradeableReadLock" or "TryEnterUpgradeableReadLock") => true,
            _ => false,
        };
    }

    /// <summary>Tests whether a semaphore is a throttle, not a mutex: a <c>SemaphoreSlim</c> (or <c>Semaphore</c>) field,
    /// property or local whose declaration shows an initial count other than 1 (<c>new SemaphoreSlim(4)</c>) admits
    /// several holders. One created elsewhere (a parameter), or with a count the declaration does not show, is taken as a
    /// mutex (BRG2001 since review 45, BRG2002 since review 68).</summary>
    /// <param name="instance">The receiver of the Wait/WaitAsync/Release call.</param>
    /// <returns>True for a counting semaphore.</returns>
    public static bool IsCountingSemaphore(IOperation? instance)
    {
        var member = (instance is null ? null : Operations.SkipConversions(instance)) switch
        {
            IFieldReferenceOperation field => (ISymbol)field.Field,
            IPropertyReferenceOperation property => property.Property,
            ILocalReferenceOperation local => local.Local,
            _ => null,
        };
        if (member is null || instance!.Type is not INamedTypeSymbol { Name: "SemaphoreSlim" or "Semaphore" } type
            || type.ContainingNamespace?.ToDisplayString() != "System.Threading")
        {
            return false;
        }

        foreach (var initializer in Operations.DeclaredInitializers(member))
        {
            if (initializer is Microsoft.CodeAnalysis.CSharp.Syntax.BaseObjectCreationExpressionSyntax { ArgumentList.Arguments: { Count: > 0 } arguments }
                && arguments[0].Expression is Microsoft.CodeAnalysis.CSharp.Syntax.LiteralExpressionSyntax literal
                && literal.Token.Value is int count && count != 1)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Tests whether a call releases a lock that <see cref="IsKnownAcquire"/> takes, known by its type and name.</summary>
    /// <param name="method">The method called.</param>
    /// <returns>True for Monitor.Exit, Lock.Exit, SpinLock.Exit, SemaphoreSlim/Semaphore.Release, Mutex.ReleaseMutex and
    /// ReaderWriterLockSlim's ExitWriteLock/ExitUpgradeableReadLock.</returns>
    public static bool IsKnownRelease(IMethodSymbol method)
    {
        var type = method.ContainingType;
        if (type?.ContainingNamespace?.ToDisplayString() != "System.Threading")
        {
            return false;
        }

        return (type.Name, method.Name) switch
        {
            ("Monitor" or "Lock" or "SpinLock", "Exit") => true,
            ("SemaphoreSlim" or "Semaphore", "Release") => true,
            ("Mutex", "ReleaseMutex") => true,
            ("ReaderWriterLockSlim", "ExitWriteLock" or "ExitUpgradeableReadLock") => true,
            _ => false,
        };
    }

    /// <summary>Tests whether a release leaves early: the statement it is in is followed, in its block, by a return,
    /// break, continue, goto or throw (<c>if (done) { sem.Release(); return; }</c>), so the code after that block still
    /// holds the lock.</summary>
    /// <param name="release">The release call.</param>
    /// <returns>True for an early release.</returns>
    public static bool IsEarlyRelease(IOperation release) => BlockOf(release) is { } block && HasJumpAfter(block, StatementOf(release));

    /// <summary>Gets the block whose statement holds an operation, in its own function; null if none.</summary>
    /// <param name="operation">The operation (a release).</param>
    /// <returns>The block.</returns>
    public static IBlockOperation? BlockOf(IOperation operation) => StatementOf(operation).Parent as IBlockOperation;

    // The statement of a block that holds the operation (the operation itself when none: in a nested function, say).
    private static IOperation StatementOf(IOperation release)
    {
        var statement = release;
        while (statement.Parent is { } parent && parent is not IBlockOperation)
        {
            if (Operations.IsNestedFunction(parent))
            {
                return release;
            }

            statement = parent;
        }

        return statement;
    }

    private static bool HasJumpAfter(IBlockOperation block, IOperation statement)
    {
        var after = false;
        foreach (var operation in block.Operations)
        {
            if (operation == statement)
            {
                after = true;
            }
            else if (after && !operation.IsImplicit && operation is IReturnOperation { Kind: not OperationKind.YieldReturn } or IBranchOperation or IExpressionStatementOperation { Operation: IThrowOperation })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Tests whether the resource of a <c>using</c> takes a lock: a known acquisition, or a method named like one
    /// (<c>LockAsync</c>, <c>AcquireWriterLock</c>, <c>EnterScope</c>) on any type, as lock libraries name them.</summary>
    /// <param name="resource">The resource expression or declaration.</param>
    /// <param name="known">The known types.</param>
    /// <returns>True if it takes a lock.</returns>
    public static bool IsLockResource(IOperation? resource, KnownSymbols known)
    {
        if (resource is null)
        {
            return false;
        }

        foreach (var operation in resource.DescendantsAndSelf())
        {
            if (operation is IInvocationOperation invocation)
            {
                var method = invocation.TargetMethod;
                if (IsKnownAcquire(method, known)
                    || (!KnownSymbols.Is(method.ContainingType, known.RaceDetector)
                        && (method.Name.IndexOf("Lock", StringComparison.Ordinal) >= 0 || method.Name.StartsWith("Acquire", StringComparison.Ordinal) || method.Name.StartsWith("Enter", StringComparison.Ordinal))))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
