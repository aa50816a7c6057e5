using System.Diagnostics.CodeAnalysis;

namespace Brigade.Engines.Remote;

/// <summary>
/// The remote side of the engines that run items elsewhere (a worker process, a silo): one instance of a work type,
/// which reads a batch's inputs in the kit's value encoding, runs them through the same <see cref="ItemLoop"/> as the
/// engines in this process (under the run's <see cref="ItemPolicy"/> when it has a timeout or retries), and hands the
/// results to the transport's <see cref="IRemoteResultWriter"/> in chunks: at the end of the batch, and mid-batch
/// whenever the flush interval has passed (or after every item), so the engine knows which items finished if the
/// process dies.
/// </summary>
/// <remarks>Not thread-safe: one batch at a time per executor, as the work's contract promises (one item at a time per
/// instance). The transports keep only what is theirs: frames and pipes, grains and responses.</remarks>
internal abstract class RemoteItemExecutor : IDisposable
{
    /// <summary>An item's status in <see cref="RemoteResultChunk.Statuses"/>: it returned a result.</summary>
    public const byte Succeeded = 0;

    /// <summary>An item's status in <see cref="RemoteResultChunk.Statuses"/>: it failed.</summary>
    public const byte Failed = 1;

    /// <summary>Gets whether batches should be awaited (<see cref="RunAsync"/>): the work is asynchronous, or the policy
    /// waits between attempts. <see cref="Run"/> serves every work too, blocking through the waits.</summary>
    public abstract bool IsAsync { get; }

    /// <summary>Gets the bytes the executor's result buffer holds on to between chunks.</summary>
    internal abstract long RetainedBufferBytes { get; }

    /// <summary>
    /// Gets or sets whether the result buffer, once grown for a large chunk (over 4 MiB), is kept for the next chunks
    /// until <see cref="ReleaseBuffers"/> (a worker process, which calls it when idle), rather than let go after every
    /// chunk (the default: the cluster engine's grains, which keep nothing between calls).
    /// </summary>
    internal bool KeepsLargeBuffers { get; set; }

    /// <summary>
    /// Gets or sets whether large raw-byte results (<c>byte[]</c>, <c>ReadOnlyMemory&lt;byte&gt;</c> of 64 KiB or more) reach
    /// the writer by reference (<see cref="RemoteResultChunk.ValueReferences"/>) rather than copied into the values' buffer:
    /// a transport that writes them out from there before <see cref="IRemoteResultWriter.WriteChunk"/> returns.
    /// </summary>
    internal bool ReferencesLargeValues { get; set; }

    /// <summary>Lets go of a result buffer kept by <see cref="KeepsLargeBuffers"/>; returns its size (0 if it was small).</summary>
    internal abstract long ReleaseBuffers();

    /// <summary>Creates the work instance and the executor for its input and result types (the only reflection; items cost none).</summary>
    /// <param name="descriptor">The work type.</param>
    /// <param name="policy">The run's item timeout and retry, or <see langword="null"/>.</param>
    /// <param name="allowRaw">Whether values may travel as raw memory (one machine only; see <see cref="RemoteValueCodec{T}"/>).</param>
    [RequiresDynamicCode("The executor is built for the work's input and result types at run time.")]
    [RequiresUnreferencedCode("Work descriptors find interfaces, constructors and JSON metadata by reflection.")]
    public static RemoteItemExecutor Create(WorkDescriptor descriptor, ItemPolicySpec? policy, bool allowRaw)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var type = typeof(RemoteItemExecutor<,>).MakeGenericType(descriptor.InputType, descriptor.OutputType);
        try
        {
            return (RemoteItemExecutor)Activator.CreateInstance(type, descriptor, policy, allowRaw)!;
        }
        catch (System.Reflection.TargetInvocationException e) when (e.InnerException is { } inner)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(inner);
            throw;
        }
    }

    /// <summary>Reads a batch's <paramref name="count"/> inputs, written by <see cref="RemoteValueCodec{T}.Write"/>.</summary>
    /// <returns>How many bytes of <paramref name="source"/> the inputs took.</returns>
    /// <exception cref="RemoteFormatException">The bytes are not a batch's inputs.</exception>
    public abstract int ReadInputs(ReadOnlySpan<byte> source, int count);

    /// <summary>Runs the inputs read last on the calling thread, sending their results to <paramref name="writer"/>.</summary>
    public abstract void Run(IRemoteResultWriter writer, RemoteBatchControl control);

    /// <summary>Runs the inputs read last, awaiting asynchronous work and the policy's waits.</summary>
    public abstract Task RunAsync(IRemoteResultWriter writer, RemoteBatchControl control);

    /// <inheritdoc/>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the codecs and the work instance.</summary>
    protected abstract void Dispose(bool disposing);
}
