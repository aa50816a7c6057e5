using System.Runtime.CompilerServices;

namespace Brigade.Internal;

/// <summary>The user's work for one item, synchronous or asynchronous.</summary>
internal sealed class WorkFunction<TIn, TOut>
{
    private readonly Delegate? _original;

    private WorkFunction(Func<TIn, TOut>? sync, Func<TIn, CancellationToken, ValueTask<TOut>>? async, Delegate? original, object? workInstance = null)
    {
        Sync = sync;
        Async = async;
        _original = original;
        WorkInstance = workInstance;
        WorkType = workInstance?.GetType();
    }

    public Func<TIn, TOut>? Sync { get; }

    /// <summary>Gets the user's action, for for-each work: in-process engines call it directly, without a result.</summary>
    public Action<TIn>? Action { get; private init; }

    public Func<TIn, CancellationToken, ValueTask<TOut>>? Async { get; }

    /// <summary>Gets the type of the work object for work given as <see cref="IWork{TIn, TOut}"/> or <see cref="IAsyncWork{TIn, TOut}"/>; null for delegates.</summary>
    public Type? WorkType { get; }

    /// <summary>Gets the work object the caller passed, for work given as <see cref="IWork{TIn, TOut}"/> or <see cref="IAsyncWork{TIn, TOut}"/>; null for delegates.
    /// Engines that run items elsewhere create their own instances and check that this one holds no state they would lose
    /// (<see cref="Engines.Remote.WorkInstanceCheck"/>).</summary>
    public object? WorkInstance { get; }

    /// <summary>Gets a stable name for the work (its type, or its delegate's declaring type and method), used to remember plans and label reports.</summary>
    public string Name => WorkType?.FullName ?? Describe(UserDelegate);

    /// <summary>
    /// Gets what identifies the work across runs and processes, to remember plans: the build of its assembly (the
    /// module's MVID, new whenever its code changes) and its type or method (metadata token), with the item types.
    /// Unlike <see cref="Name"/>, two applications' <c>x =&gt; x + 1</c> (both <c>&lt;&gt;c.&lt;Main&gt;b__0_0</c>) differ.
    /// </summary>
    public string Identity
    {
        get
        {
            try
            {
                var (module, token) = WorkType is { } t ? (t.Module, t.MetadataToken) : (UserDelegate.Method.Module, UserDelegate.Method.MetadataToken);
                return $"{Name} ({module.Assembly.GetName().Name}, {module.ModuleVersionId:N}, {token:x8}, {typeof(TIn).Name}→{typeof(TOut).Name})";
            }
            catch (Exception e) when (e is InvalidOperationException or NotSupportedException)
            {
                // A DynamicMethod has no module of its own nor a token: its name is all there is.
                return $"{Name} (dynamic, {typeof(TIn).Name}→{typeof(TOut).Name})";
            }
        }
    }

    /// <summary>
    /// Gets whether <see cref="Identity"/> names this work alone, in every process: not for a dynamic method (a compiled
    /// expression tree, emitted IL), which has neither an assembly build nor a token, only a name such as
    /// <c>lambda_method12</c> numbered by a per-process counter: a service that compiles one per request makes a new one
    /// each time, and another process gives the same name to other work.
    /// </summary>
    public bool HasStableIdentity => WorkType is not null || UserDelegate.Method is not System.Reflection.Emit.DynamicMethod;

    private Delegate UserDelegate => _original ?? (Sync is not null ? Sync : Async!);

    /// <param name="work">The work.</param>
    /// <param name="paramName">The caller's parameter name, for argument errors.</param>
    /// <param name="original">The user's delegate when <paramref name="work"/> wraps it: it names and identifies the work.</param>
    public static WorkFunction<TIn, TOut> FromSync(Func<TIn, TOut> work, string paramName, Delegate? original = null)
    {
        ArgumentNullException.ThrowIfNull(work, paramName);
        var t = typeof(TOut);
        if (t == typeof(Task) || t == typeof(ValueTask) ||
            (t.IsGenericType && (t.GetGenericTypeDefinition() == typeof(Task<>) || t.GetGenericTypeDefinition() == typeof(ValueTask<>))))
        {
            throw new ArgumentException(
                $"The work returns {t.Name}, so its results would be unfinished tasks. Pass asynchronous work as (item, cancellationToken) => ... instead.",
                paramName);
        }

        return new WorkFunction<TIn, TOut>(work, null, original);
    }

    public static WorkFunction<TIn, TOut> FromAsync(Func<TIn, CancellationToken, ValueTask<TOut>> work, string paramName, Delegate? original = null)
    {
        ArgumentNullException.ThrowIfNull(work, paramName);
        return new WorkFunction<TIn, TOut>(null, work, original);
    }

    public static WorkFunction<TIn, TOut> FromWork(IWork<TIn, TOut> work, string paramName)
    {
        ArgumentNullException.ThrowIfNull(work, paramName);
        var sync = FromSync(work.Execute, paramName);
        return new WorkFunction<TIn, TOut>(sync.Sync, null, null, work);
    }

    public static WorkFunction<TIn, TOut> FromWork(IAsyncWork<TIn, TOut> work, string paramName)
    {
        ArgumentNullException.ThrowIfNull(work, paramName);
        return new WorkFunction<TIn, TOut>(null, work.ExecuteAsync, null, work);
    }

    /// <summary>For-each work: <see cref="Sync"/> wraps the action for engines that need a result; <see cref="Action"/> is the action itself.</summary>
    public static WorkFunction<TIn, TOut> FromAction(Action<TIn> action, string paramName)
    {
        ArgumentNullException.ThrowIfNull(action, paramName);
        return new WorkFunction<TIn, TOut>(x => { action(x); return default!; }, null, action) { Action = action };
    }

    /// <summary>Rejects <c>async x => ...</c> lambdas bound to <see cref="Action{T}"/>: they would be fire-and-forget async void.</summary>
    public static void RejectAsyncVoid(Delegate work, string paramName)
    {
        ArgumentNullException.ThrowIfNull(work, paramName);
        if (work.Method.IsDefined(typeof(AsyncStateMachineAttribute), inherit: false))
        {
            throw new ArgumentException(
                "The work is an async lambda bound to Action<T> (async void): Brigade could not wait for it or see its failures. Write it as async (item, cancellationToken) => { ... } instead.",
                paramName);
        }
    }

    private static string Describe(Delegate d) => $"{d.Method.DeclaringType?.FullName}.{d.Method.Name}";
}
