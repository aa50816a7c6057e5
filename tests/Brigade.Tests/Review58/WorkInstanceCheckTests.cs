using Brigade.Engines.Remote;

namespace Brigade.Tests.Review58;

/// <summary>
/// Worker processes create their own instance of a work type, so state the caller gave the instance it passed never
/// reached them (lib58: <c>new Scale { Factor = 3 }</c> ran every item with <c>Factor = 1</c> on the process engine and
/// reported success). The instance is compared with new ones before the run; what it holds that they do not is refused.
/// </summary>
public sealed class WorkInstanceCheckTests
{
    [Fact]
    public void ConfiguredProperty_IsRefused_NamingItsValueAndTheDefault()
    {
        var error = Assert.Throws<ArgumentException>(() => WorkInstanceCheck.Ensure(new Scale { Factor = 3 }));

        Assert.Contains("differs from a new Scale() in Factor (3; a new one has 1)", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not travel", error.Message, StringComparison.Ordinal);
        Assert.Equal("work", error.ParamName);
    }

    [Fact]
    public void ReadonlyState_FromAConstructorWithParameters_IsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => WorkInstanceCheck.Ensure(new Prefixed("img-")));

        Assert.Contains("_prefix (\"img-\"; a new one has \"\")", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnInstanceLikeANewOne_Passes_AndSoDoPerInstanceIdsCountersAndCaches()
    {
        WorkInstanceCheck.Ensure(new Scale());
        WorkInstanceCheck.Ensure(new Scale { Factor = 1 });
        WorkInstanceCheck.Ensure(null);

        // An id the constructor draws differs between any two new instances: not configuration.
        WorkInstanceCheck.Ensure(new Stamped());

        // Private mutable state the work keeps for itself (an earlier in-process run filled it): not configuration.
        var counting = new Counting();
        counting.Execute(1);
        counting.Execute(2);
        WorkInstanceCheck.Ensure(counting);
    }

    [Fact]
    public async Task ATimeTheConstructorTakes_IsNotConfiguration()
    {
        // A clock that moves every 8 ms (as coarse clocks move every 1-4 ms): two new instances built back to back read
        // the same, and an instance built earlier was refused as configured (caught before landing). Built 10 ms apart
        // they always differ.
        var built = new Started();
        while (Started.Now() == built.Stamp)
        {
            await Task.Delay(5);
        }

        WorkInstanceCheck.Ensure(built);
    }

    [Fact]
    public void AWorkHoldingOnlyWhatItBuiltForItself_IsNotBuiltAgain()
    {
        var work = new Heavy();
        var built = Heavy.Built;

        WorkInstanceCheck.Ensure(work);

        // A model or client loaded by the constructor: building it twice more in the calling process only to compare
        // references that are always set would cost what the worker processes were for.
        Assert.Equal(built, Heavy.Built);
    }

    [Fact]
    public void ConfiguredArrayAndReference_AreRefused()
    {
        var words = Assert.Throws<ArgumentException>(() => WorkInstanceCheck.Ensure(new Words { Stop = ["a", "the"] }));
        var client = Assert.Throws<ArgumentException>(() => WorkInstanceCheck.Ensure(new Words { Client = new object() }));

        Assert.Contains("Stop (String[2]; a new one has String[0])", words.Message, StringComparison.Ordinal);
        Assert.Contains("Client (Object set; a new one has null)", client.Message, StringComparison.Ordinal);
    }

    /// <summary>Multiplies by a setting.</summary>
    public sealed class Scale : IWork<int, int>
    {
        /// <summary>Gets or sets the factor.</summary>
        public int Factor { get; set; } = 1;

        /// <inheritdoc/>
        public int Execute(int input) => input * Factor;
    }

    /// <summary>Prefixes with a constructor argument.</summary>
    public sealed class Prefixed : IWork<string, string>
    {
        private readonly string _prefix;

        /// <summary>Initializes the instance workers create.</summary>
        public Prefixed()
            : this("")
        {
        }

        /// <summary>Initializes an instance with a prefix.</summary>
        /// <param name="prefix">The prefix.</param>
        public Prefixed(string prefix) => _prefix = prefix;

        /// <inheritdoc/>
        public string Execute(string input) => _prefix + input;
    }

    /// <summary>Draws an id per instance.</summary>
    public sealed class Stamped : IWork<int, string>
    {
        /// <summary>Gets the instance's id.</summary>
        public Guid Id { get; } = Guid.NewGuid();

        /// <inheritdoc/>
        public string Execute(int input) => $"{Id}:{input}";
    }

    /// <summary>Counts its calls.</summary>
    public sealed class Counting : IWork<int, int>
    {
        private int _calls;

        /// <inheritdoc/>
        public int Execute(int input) => input + Interlocked.Increment(ref _calls);
    }

    /// <summary>Notes when it was built.</summary>
    public sealed class Started : IWork<int, long>
    {
        private readonly long _stamp = Now();

        /// <summary>Gets the time the instance was built, in 8 ms steps.</summary>
        public long Stamp => _stamp;

        /// <summary>Gets the time in 8 ms steps.</summary>
        /// <returns>The time.</returns>
        public static long Now() => Environment.TickCount64 / 8;

        /// <inheritdoc/>
        public long Execute(int input) => input + _stamp;
    }

    /// <summary>Loads something large in its constructor.</summary>
    public sealed class Heavy : IWork<int, int>
    {
        private static int _built;
        private readonly object _model = new();

        /// <summary>Initializes an instance, counting it.</summary>
        public Heavy() => Interlocked.Increment(ref _built);

        /// <summary>Gets how many instances were built.</summary>
        public static int Built => Volatile.Read(ref _built);

        /// <inheritdoc/>
        public int Execute(int input) => _model is null ? 0 : input;
    }

    /// <summary>Has an array and a reference to configure.</summary>
    public sealed class Words : IWork<string, bool>
    {
        /// <summary>Gets or sets the stop words.</summary>
        public string[] Stop { get; set; } = [];

        /// <summary>Gets or sets a client.</summary>
        public object? Client { get; set; }

        /// <inheritdoc/>
        public bool Execute(string input) => Stop.Contains(input);
    }
}
