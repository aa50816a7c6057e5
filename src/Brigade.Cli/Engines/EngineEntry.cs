namespace Brigade.Cli.Engines;

/// <summary>One engine <c>brigade run --engine NAME</c> can use: its name, what it can do, and how to create it.</summary>
/// <param name="Name">The name given to <c>--engine</c>.</param>
/// <param name="Note">A few words for <c>--engine</c>'s help, or null.</param>
/// <param name="Capabilities">What its engines can do (the same as <see cref="Engine.Capabilities"/> of what <paramref name="Create"/> returns).</param>
/// <param name="Create">Creates the engine for one run; engines that hold resources are owned by <see cref="EngineRequest.Resources"/>.</param>
internal sealed record EngineEntry(
    string Name,
    string? Note,
    EngineCapabilities Capabilities,
    Func<EngineRequest, CancellationToken, ValueTask<Engine>> Create)
{
    /// <summary>Gets whether the engine runs only .NET work types (<c>--assembly</c>/<c>--work</c>), not delegates such as <c>--exec</c>'s.</summary>
    public bool NeedsWorkType => !Capabilities.HasFlag(EngineCapabilities.RunsDelegates);

    /// <summary>Gets whether the engine runs items in this process (so a work type may be loaded here).</summary>
    public bool InProcess => Capabilities.HasFlag(EngineCapabilities.InProcess);

    /// <summary>Checks that the engine can run this request, with a usage error saying why not.</summary>
    /// <param name="request">What the run asks for.</param>
    /// <exception cref="CliUsageException">The engine cannot run it.</exception>
    public void Check(EngineRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ForCommands && NeedsWorkType)
        {
            throw new CliUsageException($"--engine {Name} runs .NET work types (--assembly/--work); an --exec command already runs as its own process");
        }

        if (request.Retries > 0 && !InProcess)
        {
            throw new CliUsageException($"--retries applies to --exec and in-process engines; --engine {Name} retries items whose worker crashed by itself");
        }

        if (request.ItemTimeout is not null && !InProcess && !Capabilities.HasFlag(EngineCapabilities.HardItemTimeout))
        {
            throw new CliUsageException($"--timeout applies to --exec, in-process engines and --engine processes; --engine {Name} has no per-item timeout");
        }
    }
}
