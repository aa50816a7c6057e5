using Brigade.Engines.Remote;
using Brigade.Processes.Protocol;

namespace Brigade.Processes.Tests.Review43;

/// <summary>Review 43: an aggregate's inner exceptions on the process wire (flag 2, protocol version 4), and the bounds a
/// reader enforces on what a worker sends.</summary>
public sealed class ErrorFramesTests
{
    [Fact]
    public void Aggregate_RoundTrips_WithEveryInnerException()
    {
        var error = RemoteError.From(new AggregateException("three", new InvalidOperationException("a"), new ArgumentException("b", new FormatException("b's cause")), new TimeoutException("c")));

        var read = RoundTrip(error);

        Assert.Equal(typeof(AggregateException).FullName, read.Type);
        Assert.Equal(["a", "b", "c"], read.Inners!.Select(i => i.Message));
        Assert.Equal("b's cause", read.Inners![1].Inner!.Message);
        Assert.Same(read.Inners[0], read.Inner);
    }

    [Fact]
    public void ManyInnerExceptions_AreCappedWithANoteOfHowManyWereLeftOut()
    {
        var error = RemoteError.From(new AggregateException(Enumerable.Range(0, 40).Select(i => new InvalidOperationException($"n{i}"))));

        var read = RoundTrip(error);

        Assert.Equal(RemoteError.MaxInners, read.Inners!.Count);
        Assert.Equal("n14", read.Inners[^2].Message);
        Assert.Equal("(25 more inner exceptions not carried)", read.Inners[^1].Message);
    }

    [Fact]
    public void AggregatesOfAggregates_StayWithinTheErrorBudget()
    {
        Exception Nest(int depth) => depth == 0
            ? new InvalidOperationException("leaf")
            : new AggregateException(Enumerable.Range(0, 10).Select(_ => Nest(depth - 1)));

        var read = RoundTrip(RemoteError.From(Nest(4)));

        Assert.InRange(Count(read), 2, RemoteError.MaxErrors);

        static int Count(RemoteError e) => 1 + (e.Inners?.Sum(Count) ?? (e.Inner is { } i ? Count(i) : 0));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(RemoteError.MaxInners + 1)]
    public void AggregateCountOutOfBounds_IsAProtocolError(int count)
    {
        var frame = new FrameBuffer();
        frame.WriteString("System.AggregateException");
        frame.WriteString("m");
        frame.WriteString(null);
        frame.WriteByte(2);
        frame.WriteInt32(count);

        Assert.Throws<ProtocolException>(() =>
        {
            var reader = new PayloadReader(frame.WrittenSpan);
            ErrorFrames.Read(ref reader);
        });
    }

    private static RemoteError RoundTrip(RemoteError error)
    {
        var frame = new FrameBuffer();
        ErrorFrames.Write(frame, error);
        var reader = new PayloadReader(frame.WrittenSpan);
        var read = ErrorFrames.Read(ref reader);
        Assert.Equal(0, reader.Rest.Length);
        return read;
    }
}
