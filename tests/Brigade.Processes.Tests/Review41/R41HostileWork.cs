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
