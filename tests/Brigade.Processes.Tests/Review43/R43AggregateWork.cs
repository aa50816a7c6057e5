namespace Brigade.Processes.Tests.Review43;

/// <summary>Item 3 throws an aggregate of three different exceptions, the second with an inner exception of its own;
/// item 5 throws an exception whose inner exception is an aggregate of two. The others return themselves.</summary>
public sealed class R43ThrowsAggregate : IWork<int, int>
{
    public int Execute(int input) => input switch
    {
        3 => throw Three(),
        5 => throw new InvalidOperationException("outer 5", new AggregateException("pair", Thrown(new TimeoutException("left")), Thrown(new FormatException("right")))),
        _ => input,
    };

    private static AggregateException Three() => new(
        Thrown(new InvalidOperationException("first")),
        Thrown(new ArgumentException("second", new KeyNotFoundException("second's cause"))),
        Thrown(new FormatException("third")));

    // A thrown exception, so that it has a stack trace to carry.
    private static Exception Thrown(Exception exception)
    {
        try
        {
            throw exception;
        }
        catch (Exception e)
        {
            return e;
        }
    }
}
