using Microsoft.Extensions.Hosting;

namespace Brigade.Cli.Commands;

/// <summary>
/// A host lifetime that handles no signal: it replaces the generic host's <c>ConsoleLifetime</c>, which registers its own
/// SIGINT/SIGTERM handlers and cancels every signal, so that <see cref="TerminationSignal"/> alone decides (the first
/// signal stops the host through the command's token, a second one ends the process).
/// </summary>
internal sealed class SignalFreeLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
