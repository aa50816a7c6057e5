using Brigade.Processes.Internal;

namespace Brigade.Processes.Tests.Review34b;

/// <summary>
/// Review 34b: with a worker executable, the engine's side describes the work with ProcessWork.ForExecutable instead of
/// WorkDescriptor. On main a JIT-compiled host with a worker executable went through WorkDescriptor.For and
/// WorkTypeCheck.Ensure (EnsureSerializable): types whose values cannot make the round trip, and types that are no work
/// type at all, were refused before any item ran. The branch dropped those checks.
/// </summary>
public sealed class ExecutableWorkChecksTests
{
    private const string Worker = "/opt/app/MyWorker";

    [Fact]
    public void ForExecutable_InputWithoutPublicMembers_IsRefusedAsOnMain()
    {
        // Main (WorkDescriptor.EnsureSerializable): "has no public properties or fields to serialize: its values would arrive empty".
        var onMain = Assert.Throws<NotSupportedException>(() => WorkDescriptor.For(typeof(TakesOpaque)).EnsureSerializable());
        Assert.Contains("would arrive empty", onMain.Message, StringComparison.Ordinal);

        // The branch, JIT host with a worker executable: accepted, every item then travels as {}.
        Assert.Throws<NotSupportedException>(() => ProcessWork.ForExecutable<Opaque, int>(typeof(TakesOpaque), Worker));
    }

    [Fact]
    public void ForExecutable_ObjectResult_IsRefusedAsOnMain()
    {
        // Main: "values would not come back as their real type (they would arrive as JsonElement)".
        Assert.Throws<NotSupportedException>(() => WorkDescriptor.For(typeof(ReturnsObject)).EnsureSerializable());

        Assert.Throws<NotSupportedException>(() => ProcessWork.ForExecutable<int, object>(typeof(ReturnsObject), Worker));
    }

    [Fact]
    public void ForExecutable_TypeThatIsNoWorkType_IsRefused()
    {
        // Main: "Type System.String implements neither IWork<TIn, TOut> nor IAsyncWork<TIn, TOut>." The branch takes the
        // run's types as the work's (WorkInterface, found.Count == 0) and goes on.
        Assert.Throws<ArgumentException>(() => ProcessWork.ForExecutable<string, string>(typeof(string), Worker));
    }

    public sealed class Opaque
    {
        private readonly int _value;

        public Opaque() => _value = 0;

        public Opaque(int value) => _value = value;

        public int Read() => _value;
    }

    public sealed class TakesOpaque : IWork<Opaque, int>
    {
        public int Execute(Opaque input) => input.Read();
    }

    public sealed class ReturnsObject : IWork<int, object>
    {
        public object Execute(int input) => input.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
