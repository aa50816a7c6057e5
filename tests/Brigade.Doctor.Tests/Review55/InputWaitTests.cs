using Brigade.Doctor.Analysis;

namespace Brigade.Doctor.Tests.Review55;

/// <summary>Review 55: a thread blocked in <c>Socket.Receive</c> or <c>Console.ReadLine</c> was listed as "waits in
/// Socket.Receive at ..." and nothing more. Now the line says what it waits for and what ends it (checked on a hung program,
/// /tmp/doctor55-hang; the words are what is tested here, in process).</summary>
public sealed class InputWaitTests
{
    [Fact]
    public void AReceiveWithNoTimeout_SaysItWaitsForEverIfThePeerNeverSends()
    {
        var text = DiagnosisText.InputWait("Socket.Receive", RuntimeReader.NoReceiveTimeout);

        // Failed before: nothing was added to the line (no such method).
        Assert.Equal(" — it waits for data on a socket with no receive timeout: if the peer never sends (nor closes the connection), it waits for ever; set ReceiveTimeout, or use ReceiveAsync with a CancellationToken", text);
    }

    [Fact]
    public void AReceiveWithATimeout_AddsNothing_ItsDetailSaysWhenItEnds()
    {
        Assert.Null(DiagnosisText.InputWait("Socket.Receive", "its ReceiveTimeout 5000 ms (then it throws SocketException)"));
    }

    [Fact]
    public void AReceiveWhoseTimeoutTheDumpDoesNotShow_DoesNotClaimThereIsNone()
    {
        var text = DiagnosisText.InputWait("Socket.Receive", null);

        Assert.NotNull(text);
        Assert.Contains("as long as the socket's ReceiveTimeout, for ever without one", text, StringComparison.Ordinal);
        Assert.DoesNotContain("no receive timeout", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Console.ReadLine", " — it waits for a line on standard input: it ends when one is typed or written, or the input is closed (end of file);")]
    [InlineData("Console.Read", " — it waits for a character on standard input: it ends when one is typed or written, or the input is closed (end of file);")]
    [InlineData("Console.ReadKey", " — it waits for a key on standard input: it ends when one is typed or written;")]
    public void AConsoleRead_SaysItWaitsForStandardInput(string api, string start)
    {
        var text = DiagnosisText.InputWait(api, null);

        Assert.NotNull(text);
        Assert.StartsWith(start, text, StringComparison.Ordinal);
        Assert.Contains("it waits for ever: give it its input or redirect it (< file, < /dev/null)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void OtherWaits_AreNotInputWaits()
    {
        Assert.Null(DiagnosisText.InputWait("Socket.Send", null));
        Assert.Null(DiagnosisText.InputWait("Monitor.Enter", null));
    }
}
