using Brigade.Engines.Remote;

namespace Brigade.Tests.Engines.Remote;

public sealed class RemoteValueCodecTests
{
    public class Shape
    {
        public int Sides { get; set; }
    }

    public sealed class Square : Shape
    {
        public string? Colour { get; set; }
    }

    public sealed class Sides : IWork<Shape, int>
    {
        public int Execute(Shape input) => input.Sides;
    }

    public sealed class Squares : IWork<int, Square>
    {
        public Square Execute(int input) => new() { Sides = input };
    }

    public sealed class Numbers : IWork<int, int>
    {
        public int Execute(int input) => input;
    }

    public sealed class Unwritable
    {
        public int Value { get; set; }

        public int Checked => Value >= 0 ? Value : throw new InvalidOperationException("negative");
    }

    public sealed class TakesUnwritable : IWork<Unwritable, int>
    {
        public int Execute(Unwritable input) => input.Value;
    }

    [Fact]
    public void DerivedInputs_TravelAsTheWorksType_AndReadBackAsIt()
    {
        var descriptor = WorkDescriptor.For(typeof(Sides));
        using var sender = new RemoteValueCodec<Square>(descriptor.InputTypeInfo, allowRaw: true);
        using var receiver = new RemoteValueCodec<Shape>(descriptor.InputTypeInfo, allowRaw: true);
        var buffer = new RemoteValueBuffer();

        Assert.Null(sender.Write(buffer, [new Square { Sides = 4, Colour = "red" }, new Square { Sides = 5 }], 2));
        var values = new Shape[2];
        var errors = new Exception?[2];
        var read = receiver.Read(buffer.WrittenSpan, 2, values, errors);

        Assert.Equal(buffer.Length, read);
        Assert.Equal(RemoteValueCodec<Shape>.AsArray, buffer.WrittenSpan[0]);
        Assert.Equal([4, 5], values.Select(v => v.Sides));
        Assert.All(values, v => Assert.IsType<Shape>(v));
        Assert.DoesNotContain("red", System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan), StringComparison.Ordinal);
        Assert.All(errors, Assert.Null);
    }

    [Fact]
    public void Results_ReadAsABaseType_AreTheWorksResults()
    {
        var descriptor = WorkDescriptor.For(typeof(Squares));
        using var sender = new RemoteValueCodec<Square>(descriptor.OutputTypeInfo, allowRaw: false);
        using var receiver = new RemoteValueCodec<object>(descriptor.OutputTypeInfo, allowRaw: false);
        var buffer = new RemoteValueBuffer();
        sender.Write(buffer, [new Square { Sides = 4, Colour = "blue" }], 1);

        var values = new object[1];
        receiver.Read(buffer.WrittenSpan, 1, values, new Exception?[1]);

        var square = Assert.IsType<Square>(values[0]);
        Assert.Equal((4, "blue"), (square.Sides, square.Colour));
    }

    [Theory]
    [InlineData(true, 2)]   // RemoteValueCodec<int>.Raw
    [InlineData(false, 0)]  // AsArray: JSON, for another machine
    public void Numbers_TravelRawOnlyWhenAllowed(bool allowRaw, byte encoding)
    {
        var descriptor = WorkDescriptor.For(typeof(Numbers));
        using var codec = new RemoteValueCodec<int>(descriptor.InputTypeInfo, allowRaw);
        var buffer = new RemoteValueBuffer();
        codec.Write(buffer, [1, -2, int.MaxValue], 3);

        var values = new int[3];
        codec.Read(buffer.WrittenSpan, 3, values, new Exception?[3]);

        Assert.Equal(encoding, buffer.WrittenSpan[0]);
        Assert.Equal([1, -2, int.MaxValue], values);
    }

    [Fact]
    public void AValueThatCannotBeWritten_FailsOnlyItsItem()
    {
        var descriptor = WorkDescriptor.For(typeof(TakesUnwritable));
        using var codec = new RemoteValueCodec<Unwritable>(descriptor.InputTypeInfo, allowRaw: true);
        var buffer = new RemoteValueBuffer();

        var failed = codec.Write(buffer, [new() { Value = 1 }, new() { Value = -1 }, new() { Value = 3 }], 3);
        var values = new Unwritable[3];
        var errors = new Exception?[3];
        codec.Read(buffer.WrittenSpan, 3, values, errors);

        Assert.Equal(1, Assert.Single(failed!).Offset);
        Assert.Equal(RemoteValueCodec<Unwritable>.EachPrefixed, buffer.WrittenSpan[0]);
        Assert.Equal([1, 3], new[] { values[0].Value, values[2].Value });
        Assert.IsType<InvalidDataException>(errors[1]);
        Assert.Null(errors[0]);
    }

    [Theory]
    [InlineData(new byte[] { 9 }, "Unknown value encoding 9")]
    [InlineData(new byte[] { 0, 50, 0, 0, 0, 0x5B }, "runs past")]
    [InlineData(new byte[] { 2, 4, 0, 0, 0, 1, 0, 0, 0 }, "do not hold 2 values")]
    public void MalformedValues_AreFormatErrors(byte[] bytes, string expected)
    {
        using var codec = new RemoteValueCodec<int>(WorkDescriptor.For(typeof(Numbers)).InputTypeInfo, allowRaw: true);

        var error = Assert.Throws<RemoteFormatException>(() => codec.Read(bytes, 2, new int[2], new Exception?[2]));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
