using System.Net;
using Brigade.TestSupport;

namespace Brigade.Orleans.Tests.Deployment;

/// <summary>Ports free on every given address at once (the simulated hosts all use the same ports, as machines would).</summary>
/// <remarks>
/// From <see cref="TestPorts"/>: below the kernel's ephemeral range and claimed for this process. Before, each was found
/// by binding port 0 and closing the socket, then given to a silo, redis-server or postgres that bound it seconds later
/// (three silos start in 9-30 s at CI's load): any bind(0) or connect() on the machine in between could take it.
/// </remarks>
internal static class FreePorts
{
    public static int[] On(IReadOnlyList<IPAddress> addresses, int count) => TestPorts.Free(addresses, count);
}
