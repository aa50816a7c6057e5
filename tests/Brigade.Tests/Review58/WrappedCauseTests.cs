namespace Brigade.Tests.Review58;

/// <summary>
/// A failure that only wraps its cause names the cause (lib58: a work type whose static constructor threw failed every
/// item with "The type initializer for 'NeedsConfig' threw an exception.", the missing setting only in the inner exception,
/// which the failure line and the report's failure table did not show; review 47 had fixed <c>brigade run</c>'s failures
/// file only).
/// </summary>
public sealed class WrappedCauseTests
{
    [Fact]
    public async Task StaticConstructorFailure_NamesItsCause()
    {
        var result = await Runner.MapAsync([1, 2], new NeedsSetting(), new RunOptions { Engine = Engine.Sequential });

        Assert.Equal(2, result.Failures.Count);
        Assert.Equal(
            "item 0: TypeInitializationException: The type initializer for 'NeedsSetting' threw an exception. " +
            "---> InvalidOperationException: LIB58_SETTING is not set",
            result.Failures[0].ToString());
    }

    [Fact]
    public void WorkerProcessFailure_NamesTheRemoteCause()
    {
        var cause = new RemoteWorkException("System.InvalidOperationException", "LIB58_SETTING is not set", null, "pid 42", null);
        var failure = new ItemFailure(5, new RemoteWorkException("System.TypeInitializationException", "The type initializer for 'NeedsConfig' threw an exception.", null, "pid 42", cause));

        Assert.StartsWith("item 5: TypeInitializationException: The type initializer for 'NeedsConfig' threw an exception.", failure.ToString(), StringComparison.Ordinal);
        Assert.Contains(" ---> InvalidOperationException: LIB58_SETTING is not set", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void OrdinaryFailure_WithAnInnerException_IsUnchanged()
    {
        var failure = new ItemFailure(3, new InvalidOperationException("outer", new FormatException("inner")));

        Assert.Equal("item 3: InvalidOperationException: outer", failure.ToString());
    }

    /// <summary>Reads a setting once, in its static constructor.</summary>
    public sealed class NeedsSetting : IWork<int, int>
    {
        private static readonly string Setting = Missing();

        /// <inheritdoc/>
        public int Execute(int input) => input + Setting.Length;

        private static string Missing() => throw new InvalidOperationException("LIB58_SETTING is not set");
    }
}
