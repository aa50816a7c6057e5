using Brigade.Engines.Remote;

namespace Brigade.Tests.Review59;

/// <summary>
/// A value of a derived type nested inside a result (a <c>List&lt;Shape&gt;</c> holding a <c>Circle</c>, a record with a
/// <c>Shape</c> property, a dictionary's value, an array deeper down) travelled as the declared type, its own members lost,
/// reported as a success: review 58 checked the top-level result only. Such a result now fails its item as the top-level
/// one does, naming where the value sits, what it is and what would be lost; results whose nested values are of their
/// declared types, add no member, or sit where System.Text.Json writes the runtime type (<c>object</c>) travel as before.
/// </summary>
public sealed class NestedDerivedResultTests
{
    [Theory]
    [InlineData(typeof(MakeList), "$[1]")]
    [InlineData(typeof(MakeArray), "$[1]")]
    [InlineData(typeof(MakeHolder), "$.Shape")]
    [InlineData(typeof(MakeDrawing), "$.Layers[0].Shapes[1]")]
    [InlineData(typeof(MakeDictionary), "$.b")]
    [InlineData(typeof(MakeRecordWithList), "$.Shapes[1]")]
    public void NestedDerivedValue_WithMembersTheDeclaredTypeLacks_FailsItsItemNamingIt(Type workType, string path)
    {
        var messages = Run(workType, [1, 2]);

        Assert.Equal(2, messages.Count);
        Assert.All(messages, m => Assert.Contains($"The value at {path} is a Circle, but it travels as Shape", m, StringComparison.Ordinal));
        Assert.Contains("so Radius would be lost", messages[0], StringComparison.Ordinal);
        Assert.Contains("[JsonDerivedType(typeof(Circle), \"Circle\")]", messages[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(typeof(MakeList))]
    [InlineData(typeof(MakeArray))]
    [InlineData(typeof(MakeHolder))]
    [InlineData(typeof(MakeDrawing))]
    [InlineData(typeof(MakeDictionary))]
    [InlineData(typeof(MakeRecordWithList))]
    [InlineData(typeof(MakeObjects))]
    [InlineData(typeof(MakePolymorphic))]
    public void NestedValues_OfTheirDeclaredTypes_OrWrittenAsTheirRuntimeTypes_Succeed(Type workType)
    {
        // 0: every nested shape is a plain Shape (or null), or a Circle where its runtime type is written.
        Assert.Empty(Run(workType, [0, 0, 0]));
    }

    [Fact]
    public void NestedDerivedValue_AddingNoMember_Succeeds()
    {
        Assert.Empty(Run(typeof(MakePlainList), [1, 2, 3]));
    }

    [Fact]
    public void OneBadResult_FailsOnlyItsItem()
    {
        var messages = Run(typeof(MakeList), [0, 3, 0, 0]);

        Assert.Single(messages);
    }

    [Fact]
    public void AGetterThatThrowsInsideAResult_FailsOnlyItsItem_WithItsException()
    {
        var messages = Run(typeof(MakeTouchy), [0, 1, 0]);

        Assert.Contains("touchy getter", Assert.Single(messages), StringComparison.Ordinal);
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

    /// <summary>A shape that adds no member.</summary>
    public sealed class Plain : Shape
    {
        /// <inheritdoc/>
        public override string ToString() => "plain " + Name;
    }

    /// <summary>A shape base the serializer knows the derived types of.</summary>
    [System.Text.Json.Serialization.JsonDerivedType(typeof(Square), "square")]
    public class Figure
    {
        /// <summary>Gets or sets the name.</summary>
        public string Name { get; set; } = "";
    }

    /// <summary>A square, declared on its base.</summary>
    public sealed class Square : Figure
    {
        /// <summary>Gets or sets the side.</summary>
        public double Side { get; set; }
    }

    /// <summary>A holder of one shape.</summary>
    /// <param name="Id">The id.</param>
    /// <param name="Shape">The shape.</param>
    public sealed record Holder(int Id, Shape? Shape);

    /// <summary>A layer of shapes.</summary>
    public sealed class Layer
    {
        /// <summary>Gets or sets the shapes.</summary>
        public List<Shape> Shapes { get; set; } = [];
    }

    /// <summary>Layers of shapes.</summary>
    public sealed class Drawing
    {
        /// <summary>Gets or sets the layers.</summary>
        public Layer[] Layers { get; set; } = [];
    }

    /// <summary>A record holding a list.</summary>
    /// <param name="Shapes">The shapes.</param>
    public record Scene(List<Shape> Shapes);

    /// <summary>A list with the derived shape second.</summary>
    public sealed class MakeList : IWork<int, List<Shape>>
    {
        /// <inheritdoc/>
        public List<Shape> Execute(int input) => [new Shape { Name = "a" }, Nth(input)];
    }

    /// <summary>A list of shapes adding no member.</summary>
    public sealed class MakePlainList : IWork<int, List<Shape>>
    {
        /// <inheritdoc/>
        public List<Shape> Execute(int input) => [new Plain { Name = "p" + input }];
    }

    /// <summary>An array with the derived shape second.</summary>
    public sealed class MakeArray : IWork<int, Shape[]>
    {
        /// <inheritdoc/>
        public Shape[] Execute(int input) => [new Shape(), Nth(input)];
    }

    /// <summary>A record with a shape property.</summary>
    public sealed class MakeHolder : IWork<int, Holder>
    {
        /// <inheritdoc/>
        public Holder Execute(int input) => new(input, input == 0 ? null : Nth(input));
    }

    /// <summary>Shapes two levels down.</summary>
    public sealed class MakeDrawing : IWork<int, Drawing>
    {
        /// <inheritdoc/>
        public Drawing Execute(int input) => new() { Layers = [new Layer { Shapes = [new Shape(), Nth(input)] }] };
    }

    /// <summary>Shapes as a dictionary's values.</summary>
    public sealed class MakeDictionary : IWork<int, Dictionary<string, Shape>>
    {
        /// <inheritdoc/>
        public Dictionary<string, Shape> Execute(int input) => new() { ["a"] = new Shape(), ["b"] = Nth(input) };
    }

    /// <summary>A record (not sealed) holding a list.</summary>
    public sealed class MakeRecordWithList : IWork<int, Scene>
    {
        /// <inheritdoc/>
        public Scene Execute(int input) => new([new Shape(), Nth(input)]);
    }

    /// <summary>Circles where the declared type is object: System.Text.Json writes their runtime type.</summary>
    public sealed class MakeObjects : IWork<int, List<object>>
    {
        /// <inheritdoc/>
        public List<object> Execute(int input) => [new Circle { Radius = 2 }, "x", 3];
    }

    /// <summary>Derived figures the serializer knows.</summary>
    public sealed class MakePolymorphic : IWork<int, List<Figure>>
    {
        /// <inheritdoc/>
        public List<Figure> Execute(int input) => [new Square { Side = 2 }, new Figure()];
    }

    /// <summary>A holder whose shape's getter throws when asked to.</summary>
    public sealed class Touchy
    {
        private readonly bool _throw;

        /// <summary>Initializes a holder.</summary>
        /// <param name="throws">Whether the getter throws.</param>
        public Touchy(bool throws) => _throw = throws;

        /// <summary>Gets the shape.</summary>
        public Shape Shape => _throw ? throw new InvalidOperationException("touchy getter") : new Shape();
    }

    /// <summary>Returns a holder whose getter throws for 1.</summary>
    public sealed class MakeTouchy : IWork<int, Touchy>
    {
        /// <inheritdoc/>
        public Touchy Execute(int input) => new(input == 1);
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
