namespace Brigade.Tests.Lib54;

/// <summary>
/// A work type whose result cannot cross a process boundary (lib54): the error named the type as the runtime spells it,
/// <c>System.Func`1[[System.Int32, System.Private.CoreLib, Version=10.0.0.0, Culture=neutral, PublicKeyToken=...]]</c>,
/// twice in one sentence. It now reads as C# does, once.
/// </summary>
public sealed class UnserializableTypeNameTests
{
    [Fact]
    public void DelegateResult_NamedAsInCSharp_Once()
    {
        var error = Assert.Throws<NotSupportedException>(() => WorkDescriptor.For(typeof(ReturnsCallback)).EnsureSerializable());

        Assert.Contains("result System.Func<System.Int32> is a type System.Text.Json cannot serialize", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Version=", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("`", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DelegateInsideAGenericInput_NamedAsInCSharp()
    {
        var error = Assert.Throws<NotSupportedException>(() => WorkDescriptor.For(typeof(TakesCallbacks)).EnsureSerializable());

        Assert.Contains("input System.Collections.Generic.List<Brigade.Tests.Lib54.Callbacks>[].Handler is System.Action<System.String>, which System.Text.Json cannot serialize", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Version=", error.Message, StringComparison.Ordinal);
    }
}

/// <summary>Returns a delegate: cannot travel.</summary>
public sealed class ReturnsCallback : IWork<int, Func<int>>
{
    /// <inheritdoc/>
    public Func<int> Execute(int input) => () => input;
}

/// <summary>An input holding a delegate.</summary>
public sealed class Callbacks
{
    /// <summary>Gets or sets the handler.</summary>
    public Action<string>? Handler { get; set; }
}

/// <summary>Takes a list of inputs holding delegates.</summary>
public sealed class TakesCallbacks : IWork<List<Callbacks>, int>
{
    /// <inheritdoc/>
    public int Execute(List<Callbacks> input) => input.Count;
}
