using Brigade.Engines.Remote;

namespace Brigade.Tests.Review60;

/// <summary>
/// Review 59's check of derived values inside a result did not walk <c>object</c> members (System.Text.Json writes their
/// runtime type, but a <c>List&lt;Shape&gt;</c> held there still writes its <c>Circle</c> as a <c>Shape</c>) nor lazy
/// sequences (an <c>IEnumerable&lt;Shape&gt;</c> from <c>yield</c>: walking it would run it twice): in both the
/// <c>Circle</c>'s radius was lost and the item reported a success. The serializer now refuses such a value as it writes
/// it, so the sequence runs once and the item fails naming the value, as review 59's do.
/// </summary>
public sealed class HiddenDerivedResultTests
{
    [Theory]
    [InlineData(typeof(MakeBoxed))]
    [InlineData(typeof(MakeLazy))]
    [InlineData(typeof(MakeLazyRoot))]
    public void DerivedValueBehindObjectOrInALazySequence_FailsItsItemNamingIt(Type workType)
    {
        var messages = Run(workType, [0, 1, 0]);

        var message = Assert.Single(messages);
        Assert.Contains("is a Circle, but it travels as Shape", message, StringComparison.Ordinal);
        Assert.Contains("Radius would be lost", message, StringComparison.Ordinal);
    }

    [Fact]
    public void ALazySequence_RunsOnce()
    {
        var before = MakeLazy.Runs;

        Assert.Empty(Run(typeof(MakeLazy), [0, 0]));

        Assert.Equal(2, MakeLazy.Runs - before);
    }

    [Theory]
    [InlineData(typeof(MakeBoxed))]
    [InlineData(typeof(MakeLazy))]
    [InlineData(typeof(MakeLazyRoot))]
    public void PlainValues_Succeed(Type workType)
    {
        Assert.Empty(Run(workType, [0, 0, 0]));
    }

    private static List<string> Run(Type workType, int[] inputs)
    {
        var descriptor = WorkDescriptor.For(workType);
        using var executor = RemoteItemExecutor.Create(descriptor, policy: null, allowRaw: true);
        var writer = new FailureRecorder();
        var buffer = new RemoteValueBuffer();
        using (var codec = new RemoteValueCodec<int>(descriptor.InputTypeInfo, allowRaw: true))
        {
            Assert.Null(codec.Write(buffer, inputs, inputs.Length));
        }

        executor.ReadInputs(buffer.WrittenSpan, inputs.Length);
        executor.Run(writer, new RemoteBatchControl(long.MaxValue, false, RemoteCpuClock.Process, CancellationToken.None));
        return writer.Messages;
    }

    private static Shape Nth(int input) => input == 0 ? new Shape { Name = "s" } : new Circle { Name = "c" + input, Radius = input * 1.5 };

    /// <summary>A shape.</summary>
    public class Shape
    {
        /// <summary>Gets or sets the name.</summary>
        public string Name { get; set; } = "";
    }

    /// <summary>A circle.</summary>
    public sealed class Circle : Shape
    {
        /// <summary>Gets or sets the radius.</summary>
        public double Radius { get; set; }
    }

    /// <summary>A result with an object member.</summary>
    /// <param name="Id">The id.</param>
    /// <param name="Payload">The payload.</param>
    public sealed record Envelope(int Id, object Payload);

    /// <summary>A result with a lazy sequence.</summary>
    /// <param name="Shapes">The shapes.</param>
    public sealed record Sketch(IEnumerable<Shape> Shapes);

    /// <summary>A list of shapes behind an object member.</summary>
    public sealed class MakeBoxed : IWork<int, Envelope>
    {
        /// <inheritdoc/>
        public Envelope Execute(int input) => new(input, new List<Shape> { new(), Nth(input) });
    }

    /// <summary>Shapes from an iterator, in a record.</summary>
    public sealed class MakeLazy : IWork<int, Sketch>
    {
        private static int _runs;

        /// <summary>Gets how many times an iterator ran.</summary>
        public static int Runs => Volatile.Read(ref _runs);

        /// <inheritdoc/>
        public Sketch Execute(int input) => new(Shapes(input));

        private static IEnumerable<Shape> Shapes(int input)
        {
            Interlocked.Increment(ref _runs);
            yield return new Shape();
            yield return Nth(input);
        }
    }

    /// <summary>Shapes from an iterator, as the result itself.</summary>
    public sealed class MakeLazyRoot : IWork<int, IEnumerable<Shape>>
    {
        /// <inheritdoc/>
        public IEnumerable<Shape> Execute(int input) => Enumerable.Range(0, 2).Select(i => i == 0 ? new Shape() : Nth(input));
    }

    private sealed class FailureRecorder : IRemoteResultWriter
    {
        public List<string> Messages { get; } = [];

        public void WriteChunk(in RemoteResultChunk chunk)
        {
            Messages.AddRange(chunk.Failures.Select(f => f.Error.Message));
        }
    }
}
