using System.Reflection;

namespace Brigade.Tests.Review44;

/// <summary>Review 44: the meter's and activity source's version is a constant the build writes (it was read back from the
/// assembly's attribute by reflection at start-up); it must stay the attribute's text.</summary>
public sealed class TelemetryVersionTests
{
    [Fact]
    public void MeterAndSourceVersion_IsTheAssemblysInformationalVersion()
    {
        var attribute = typeof(Runner).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

        Assert.False(string.IsNullOrEmpty(attribute));
        Assert.Equal(attribute, Brigade.Diagnostics.Telemetry.Meter.Version);
        Assert.Equal(attribute, Brigade.Diagnostics.Telemetry.Source.Version);
    }
}
