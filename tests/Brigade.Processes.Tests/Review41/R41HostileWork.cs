namespace Brigade.Processes.Tests.Review41;

/// <summary>An exception whose <see cref="Message"/> and <see cref="StackTrace"/> getters throw.</summary>
public sealed class R41HostileMessageException : Exception
{
    public override string Message => throw new InvalidOperationException("the Message getter throws");

    public override string? StackTrace => throw new InvalidOperationException("the StackTrace getter throws");
}

/// <summary>Item 2 throws <see cref="R41HostileMessageException"/>; the others return themselves.</summary>
public sealed class R41ThrowsHostile : IWork<int, int>
{
    public int Execute(int input) => input == 2 ? throw new R41HostileMessageException() : input;
}

/// <summary>A result whose getter throws <see cref="R41HostileMessageException"/> for 2 (in the worker, serializing) and
/// whose setter throws it for 3 (in the host, deserializing).</summary>
public sealed class R41Result
{
    private int _value;

    public R41Result()
    {
    }

    internal R41Result(int value) => _value = value;

    public int Value
    {
        get => _value == 2 ? throw new R41HostileMessageException() : _value;
        set => _value = value == 3 ? throw new R41HostileMessageException() : value;
    }
}

/// <summary>Returns <see cref="R41Result"/>s: item 2's cannot be serialized, item 3's cannot be deserialized.</summary>
public sealed class R41HostileResults : IWork<int, R41Result>
{
    public R41Result Execute(int input) => new(input);
}
