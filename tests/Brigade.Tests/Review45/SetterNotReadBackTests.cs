using System.Text.Json.Serialization;

namespace Brigade.Tests.Review45;

/// <summary>
/// Review 45: an input or result with <c>{ get; private set; }</c> (or a readonly field no constructor takes) crossed a
/// process boundary as its default: System.Text.Json writes it and does not set it on the other side, and the run
/// reported a success with zeros and nulls. A work type with such a type is now refused before anything runs, naming the
/// member and the fix; <c>init</c>, <c>[JsonInclude]</c>, constructor parameters and computed properties still pass.
/// </summary>
public sealed class SetterNotReadBackTests
{
    [Fact]
    public void PrivateSetterInTheInput_IsRefused_NamingTheMember()
    {
        var error = Assert.Throws<NotSupportedException>(() => WorkDescriptor.For(typeof(TakesPrivateSet)).EnsureSerializable());

        Assert.Contains("input Brigade.Tests.Review45.SetterNotReadBackTests+PrivateSet.Count has a setter that is not public", error.Message, StringComparison.Ordinal);
        Assert.Contains(".Name has a setter that is not public", error.Message, StringComparison.Ordinal);
        Assert.Contains("[JsonInclude]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadonlyFieldNoConstructorTakes_InTheResult_IsRefused()
    {
        var error = Assert.Throws<NotSupportedException>(() => WorkDescriptor.For(typeof(ReturnsReadonlyField)).EnsureSerializable());

        Assert.Contains("result Brigade.Tests.Review45.SetterNotReadBackTests+ReadonlyField.Value is a readonly field", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConstructorParameterNamedAfterNoProperty_IsRefused_BeforeTheRun()
    {
        // Before, each item failed in the worker: "Each parameter in the deserialization constructor ... must bind".
        var error = Assert.Throws<NotSupportedException>(() => WorkDescriptor.For(typeof(TakesUnbound)).EnsureSerializable());

        Assert.Contains("has a constructor parameter 'seed' that matches no public property or field", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InitOnly_JsonInclude_ConstructorBound_AndComputed_AllPass()
    {
        WorkDescriptor.For(typeof(TakesFine)).EnsureSerializable();
    }

    public sealed class PrivateSet
    {
        public int Count { get; private set; }

        public string? Name { get; private set; }
    }

    public sealed class ReadonlyField
    {
#pragma warning disable CA1051 // The public readonly field is the case under test.
        public readonly int Value = 3;
#pragma warning restore CA1051
    }

    public sealed class Fine(int bound)
    {
        public int Bound { get; } = bound;

        public int Init { get; init; }

        [JsonInclude]
        public int Included { get; private set; }

        public int Computed => Bound + Init;
    }

    public sealed class Unbound(int seed)
    {
        public int Value { get; } = seed;
    }

    public sealed class TakesUnbound : IWork<Unbound, int>
    {
        public int Execute(Unbound input) => input.Value;
    }

    public sealed class TakesPrivateSet : IWork<PrivateSet, int>
    {
        public int Execute(PrivateSet input) => input.Count;
    }

    public sealed class ReturnsReadonlyField : IWork<int, ReadonlyField>
    {
        public ReadonlyField Execute(int input) => new();
    }

    public sealed class TakesFine : IWork<Fine, Fine>
    {
        public Fine Execute(Fine input) => input;
    }
}
