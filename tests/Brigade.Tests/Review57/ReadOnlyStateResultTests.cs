using System.Numerics;

namespace Brigade.Tests.Review57;

/// <summary>
/// A result whose type has only read-only properties and keeps its state in private fields is refused before a
/// process-crossing run (lib57: <see cref="BigInteger"/> results came back from worker processes as 0, every item
/// reported a success: System.Text.Json wrote Sign, IsZero, ... and read nothing back). In-process, no worker started.
/// </summary>
public sealed class ReadOnlyStateResultTests
{
    [Fact]
    public void EnsureSerializable_BigIntegerResult_IsRefusedWithTheReason()
    {
        var e = Assert.Throws<NotSupportedException>(() => WorkDescriptor.For(typeof(Power)).EnsureSerializable());

        Assert.Contains("System.Numerics.BigInteger", e.Message, StringComparison.Ordinal);
        Assert.Contains("would arrive as the default", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EnsureSerializable_ReadOnlyPropertiesBoundByAConstructor_AreAccepted()
    {
        WorkDescriptor.For(typeof(Measure)).EnsureSerializable();
    }

    /// <summary>A large power of three.</summary>
    public sealed class Power : IWork<int, BigInteger>
    {
        /// <inheritdoc/>
        public BigInteger Execute(int input) => BigInteger.Pow(3, 100) + input;
    }

    /// <summary>A temperature: a read-only property a constructor parameter takes, and a computed one.</summary>
    public sealed class Temperature(double celsius)
    {
        /// <summary>Gets the temperature in degrees Celsius.</summary>
        public double Celsius { get; } = celsius;

        /// <summary>Gets the temperature in degrees Fahrenheit.</summary>
        public double Fahrenheit => (Celsius * 9 / 5) + 32;
    }

    /// <summary>Makes a temperature.</summary>
    public sealed class Measure : IWork<int, Temperature>
    {
        /// <inheritdoc/>
        public Temperature Execute(int input) => new(input + 0.5);
    }
}
