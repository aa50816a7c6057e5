using System.Reflection;

namespace Brigade.Orleans.Tests.FaultInjection;

/// <summary>
/// A grain factory over a real cluster whose membership reads, after the first (the run's admission), fail as they do
/// once the primary of a localhost cluster is dead: with <see cref="OrleansMessageRejectionException"/>. Each such read
/// is held until its cancellation token trips (the run has ended and stops its monitor), then fails: the rejection of a
/// read in flight when the run ends, reaching the engine after the run stopped it, pinned in that order.
/// </summary>
internal sealed class RejectingMembershipFactory(IGrainFactory inner) : IGrainFactory
{
    private static readonly TimeSpan HoldAtMost = TimeSpan.FromSeconds(20);

    private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _reads;
    private int _rejectedAfterStop;

    /// <summary>Completes when a membership read after the first is held (the run's monitor is checking).</summary>
    public Task Held => _held.Task;

    /// <summary>Gets how many reads failed after their token tripped: the interleaving this factory exists for.</summary>
    public int RejectedAfterStop => Volatile.Read(ref _rejectedAfterStop);

    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithIntegerKey
    {
        var grain = inner.GetGrain<TGrainInterface>(primaryKey, grainClassNamePrefix);
        if (typeof(TGrainInterface) != typeof(IManagementGrain))
        {
            return grain;
        }

        var proxy = DispatchProxy.Create<IManagementGrain, ManagementProxy>();
        ((ManagementProxy)(object)proxy).Attach((IManagementGrain)grain, this);
        return (TGrainInterface)proxy;
    }

    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithGuidKey => inner.GetGrain<TGrainInterface>(primaryKey, grainClassNamePrefix);

    public TGrainInterface GetGrain<TGrainInterface>(string primaryKey, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithStringKey => inner.GetGrain<TGrainInterface>(primaryKey, grainClassNamePrefix);

    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string keyExtension, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithGuidCompoundKey => inner.GetGrain<TGrainInterface>(primaryKey, keyExtension, grainClassNamePrefix);

    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string keyExtension, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithIntegerCompoundKey => inner.GetGrain<TGrainInterface>(primaryKey, keyExtension, grainClassNamePrefix);

    public TGrainObserverInterface CreateObjectReference<TGrainObserverInterface>(IGrainObserver obj)
        where TGrainObserverInterface : IGrainObserver => inner.CreateObjectReference<TGrainObserverInterface>(obj);

    public void DeleteObjectReference<TGrainObserverInterface>(IGrainObserver obj)
        where TGrainObserverInterface : IGrainObserver => inner.DeleteObjectReference<TGrainObserverInterface>(obj);

    public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey) => inner.GetGrain(grainInterfaceType, grainPrimaryKey);

    public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey) => inner.GetGrain(grainInterfaceType, grainPrimaryKey);

    public IGrain GetGrain(Type grainInterfaceType, string grainPrimaryKey) => inner.GetGrain(grainInterfaceType, grainPrimaryKey);

    public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey, string keyExtension) => inner.GetGrain(grainInterfaceType, grainPrimaryKey, keyExtension);

    public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey, string keyExtension) => inner.GetGrain(grainInterfaceType, grainPrimaryKey, keyExtension);

    public TGrainInterface GetGrain<TGrainInterface>(GrainId grainId)
        where TGrainInterface : IAddressable => inner.GetGrain<TGrainInterface>(grainId);

    public IAddressable GetGrain(GrainId grainId) => inner.GetGrain(grainId);

    public IAddressable GetGrain(GrainId grainId, GrainInterfaceType interfaceType) => inner.GetGrain(grainId, interfaceType);

    public IAddressable GetGrain(Type grainInterfaceType, IdSpan grainPrimaryKey) => inner.GetGrain(grainInterfaceType, grainPrimaryKey);

    public IAddressable GetGrain(Type grainInterfaceType, IdSpan grainPrimaryKey, string grainClassNamePrefix) => inner.GetGrain(grainInterfaceType, grainPrimaryKey, grainClassNamePrefix);

    private object? Read(IManagementGrain real, MethodInfo method, object?[]? args)
    {
        if (Interlocked.Increment(ref _reads) == 1)
        {
            return method.Invoke(real, args);
        }

        // Held synchronously, in the caller's own call: the failure is then seen exactly when the token has tripped.
        var token = args?.OfType<CancellationToken>().FirstOrDefault() ?? default;
        _held.TrySetResult();
        if (token.CanBeCanceled && token.WaitHandle.WaitOne(HoldAtMost))
        {
            Interlocked.Increment(ref _rejectedAfterStop);
        }

        var rejection = (Exception)Activator.CreateInstance(
            typeof(OrleansMessageRejectionException),
            BindingFlags.Instance | BindingFlags.NonPublic,
            binder: null,
            ["Forwarding failed: the target silo is unreachable: Connection refused (injected: the killed primary hosted the membership)"],
            culture: null)!;
        return Task.FromException<Dictionary<SiloAddress, SiloStatus>>(rejection);
    }

    /// <summary>The management grain, with <c>IManagementGrain.GetHosts</c> routed through the factory.</summary>
    public class ManagementProxy : DispatchProxy
    {
        private IManagementGrain _real = null!;
        private RejectingMembershipFactory _factory = null!;

        internal void Attach(IManagementGrain real, RejectingMembershipFactory factory)
        {
            _real = real;
            _factory = factory;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            return targetMethod.Name == nameof(IManagementGrain.GetHosts)
                ? _factory.Read(_real, targetMethod, args)
                : targetMethod.Invoke(_real, args);
        }
    }
}
