using System.Text;

namespace Brigade.Cli.Tests.Review39;

/// <summary>
/// A reader that goes away (<c>brigade run ... | head -1</c>, <c>brigade run --help | head -3</c>) ends brigade as SIGPIPE
/// ends the tools around it: quietly, exit 141 (128 + SIGPIPE), as GNU parallel does. Before, the run said
/// <c>brigade: cannot write --output '-': Broken pipe</c> and exited 1, as if it had failed, and help said
/// <c>brigade: IOException: Broken pipe</c> (review 39). The run's own case, a pipeline through <c>head</c>, is
/// <c>RunFilesTests.StdoutReaderGoesAway_TheRunStopsQuietly_NotExitZeroWithResultsGoneNowhere</c>.
/// </summary>
public sealed class BrokenPipeTests
{
    [Fact]
    public async Task HelpIntoHead_EndsQuietly_WithTheExitCodeOfSigpipe()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["run", "--help"], new ReaderGoneWriter(), stderr, CancellationToken.None);

        Assert.Equal(141, code);
        Assert.Equal("", stderr.ToString());
    }

    // Standard output into a pipe whose reader left: .NET's write fails with EPIPE (errno 32 as the HResult).
    private sealed class ReaderGoneWriter : TextWriter
    {
        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value) => throw new IOException("Broken pipe", 32);

        public override void Write(string? value) => throw new IOException("Broken pipe", 32);

        public override void Write(char[] buffer, int index, int count) => throw new IOException("Broken pipe", 32);
    }
}
