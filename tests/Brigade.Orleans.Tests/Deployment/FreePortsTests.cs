using System.Net;
using Brigade.TestSupport;

namespace Brigade.Orleans.Tests.Deployment;

/// <summary>
/// The ports the tests give their silos, redis-server and postgres: none the kernel could hand to another socket between
/// the pick and the server's bind (ci139 saw a picker give one port twice; a bind(0) anywhere on the machine could take
/// a released one), none given twice.
/// </summary>
public sealed class FreePortsTests
{
    [Fact]
    public void Ports_AreBelowTheKernelsEphemeralRange_SoNoBindToZeroOrConnectTakesThem()
    {
        var ports = FreePorts.On([IPAddress.Loopback], 8);

        Assert.All(ports, p => Assert.InRange(p, 1024, TestPorts.EphemeralLow - 1));
    }

    [Fact]
    public async Task Ports_PickedSideBySide_AreNeverGivenTwice()
    {
        var picks = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => FreePorts.On([IPAddress.Loopback], 4))));

        var all = picks.SelectMany(p => p).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
    }
}
