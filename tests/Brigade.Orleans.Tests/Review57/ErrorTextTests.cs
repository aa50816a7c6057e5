using Brigade.Orleans.Dispatch;

namespace Brigade.Orleans.Tests.Review57;

// Review 57: a silo killed mid-run was shown in `brigade run`'s plan line as "left out: 127.0.0.1:21112 (not answering
// (OrleansMessageRejectionException: Exception while sending message: ...ConnectionFailedException: Unable to connect ...,
// will retry after 423.0682ms" followed by Orleans' stack frames, one per line: Orleans puts its inner exception's text,
// frames included, in the message. A plan line, a summary and a failure reason take the message's first line only.
public sealed class ErrorTextTests
{
    private const string Rejection =
        "Exception while sending message: Orleans.Runtime.Messaging.ConnectionFailedException: Unable to connect to S127.0.0.1:21112:155556145, will retry after 423.0682ms\n" +
        "   at Orleans.Runtime.Messaging.ConnectionManager.GetConnectionAsync(SiloAddress endpoint) in /_/src/Orleans.Core/Networking/ConnectionManager.cs:line 142\n" +
        "   at Orleans.Runtime.Messaging.MessageCenter.<SendMessage>g__SendAsync|32_0(MessageCenter messageCenter, ValueTask`1 connectionTask, Message msg) in /_/src/Orleans.Runtime/Messaging/MessageCenter.cs:line 245";

    [Fact]
    public void AnOrleansRejection_IsItsTypeAndFirstLine_WithoutTheInnerStackFrames()
    {
        var text = ErrorText.Gist(new InvalidOperationException(Rejection));

        Assert.Equal("InvalidOperationException: Exception while sending message: Orleans.Runtime.Messaging.ConnectionFailedException: Unable to connect to S127.0.0.1:21112:155556145, will retry after 423.0682ms", text);
        Assert.DoesNotContain('\n', text);
        Assert.DoesNotContain(" at ", text, StringComparison.Ordinal);
    }

    // The same run with the primary silo killed before the client read membership: the whole text of the inner exception,
    // frames and "--- End of inner exception stack trace ---" included, was the error line's tail.
    [Fact]
    public void AnInnerExceptionInTheText_IsNamedByItsFirstLine_InPlaceOfSeeInnerException()
    {
        const string text =
            "Exception while sending message: Orleans.Runtime.Messaging.ConnectionFailedException: Unable to connect to endpoint S127.0.0.1:21111:0. See InnerException\n" +
            " ---> Orleans.Networking.Shared.SocketConnectionException: Unable to connect to 127.0.0.1:21111. Error: ConnectionRefused\n" +
            "   at Orleans.Networking.Shared.SocketConnectionFactory.ConnectAsync(EndPoint endpoint, CancellationToken cancellationToken) in /_/src/Orleans.Core/Networking/Shared/SocketConnectionFactory.cs:line 67\n" +
            "   --- End of inner exception stack trace ---\n" +
            "   at Orleans.Runtime.Messaging.ConnectionManager.ConnectAsync(SiloAddress address, ConnectionEntry entry) in /_/src/Orleans.Core/Networking/ConnectionManager.cs:line 296";

        Assert.Equal(
            "Exception while sending message: Orleans.Runtime.Messaging.ConnectionFailedException: Unable to connect to endpoint S127.0.0.1:21111:0 (Orleans.Networking.Shared.SocketConnectionException: Unable to connect to 127.0.0.1:21111. Error: ConnectionRefused)",
            ErrorText.OneLine(text));
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("\n\n  one  \ntwo", "one")]
    [InlineData("single", "single")]
    public void OneLine_WithNoInnerException_IsTheFirstNonEmptyLineTrimmed(string message, string expected) =>
        Assert.Equal(expected, ErrorText.OneLine(message));
}
