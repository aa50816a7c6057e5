using Microsoft.Extensions.Hosting;

namespace Brigade.Orleans.Membership;

/// <summary>
/// Asks a Redis membership store whether it takes this silo's password before the silo starts (registered before Orleans,
/// so it runs first). Orleans itself retried a store that refused it for 39 s, logging its lifecycle failures, and then
/// failed the start with an error that did not name the password (review 47).
/// </summary>
internal sealed class RedisAccessCheck(ClusterMembership membership) : IHostedService
{
    // The probe's own bound is half of this (at most 5 s) per step: a refusal is said within seconds.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // A store that does not answer at all is Orleans' to report, as before: only a refusal is said here.
        if (await ClusterConnection.RedisRefusalAsync(membership, Bound, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            throw new InvalidOperationException(
                $"the membership store refuses this silo ({membership}: {refused}; the password goes in the URI: redis://:PASSWORD@HOST:PORT)");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
