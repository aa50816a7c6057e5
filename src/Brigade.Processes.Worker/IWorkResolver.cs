using Brigade.Engines.Remote;

namespace Brigade.Processes.Worker;

/// <summary>
/// How a worker turns the work type the host names in a Prepare into an executor: by reflection over the assemblies it
/// was started with (AssemblyWorkResolver, the worker host that ships with Brigade.Processes), or from a
/// catalog compiled into the worker (a native worker: Brigade.Processes.NativeWorker).
/// </summary>
internal interface IWorkResolver
{
    /// <summary>Creates the work instance and its executor.</summary>
    /// <param name="name">The work type's full name, as the host sent it.</param>
    /// <param name="policy">The run's item timeout and retry, or <see langword="null"/>.</param>
    /// <returns>The executor, or <see langword="null"/> when this worker has no work type of that name.</returns>
    RemoteItemExecutor? Create(string name, ItemPolicySpec? policy);

    /// <summary>The message of the WorkTypeNotFound answer, when <see cref="Create"/> found nothing.</summary>
    string NotFound(string name);
}
