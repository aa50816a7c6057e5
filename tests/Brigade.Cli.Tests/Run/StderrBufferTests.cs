using System.Text;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Run;

/// <summary>
/// How a passed command's stderr is cut into chunks (<see cref="StderrBuffer"/>): another command's stderr may be written
/// between two chunks, so a chunk ends at a line's end (\n, or a progress meter's \r) wherever a line is not longer than
/// 1 MiB (review 23 S2), and the older path's CPU report never goes out in one (review 23 N3).
/// </summary>
public sealed class StderrBufferTests
{
    [Fact]
    public void ALineLongerThan64KiB_IsOneChunk()
    {
        var line = new string('b', 70000) + " 1\n";

        var chunks = Chunks(new StderrBuffer(pass: true), line + line, readSize: 4096);

        Assert.Equal([line, line], chunks);
    }

    [Fact]
    public void AProgressMeter_IsCutAtItsCarriageReturns()
    {
        var meter = string.Concat(Enumerable.Range(0, 3000).Select(i => $"\r{i % 100,3}% [{new string('=', i % 60),-60}]"));

        var chunks = Chunks(new StderrBuffer(pass: true), meter, readSize: 65536);

        Assert.True(chunks.Count > 2);
        Assert.Equal(meter, string.Concat(chunks));
        Assert.All(chunks[..^1], c => Assert.True(c.Length <= StderrBuffer.Bound && c.EndsWith('\r'), $"a chunk of {c.Length} ends in {(int)c[^1]}"));
    }

    [Fact]
    public void ALineLongerThan1MiB_IsCutThere()
    {
        var line = new string('z', 1_500_000) + "\n";

        var chunks = Chunks(new StderrBuffer(pass: true), line + "next\n", readSize: 65536);

        Assert.Equal(StderrBuffer.LongLineBound, chunks[0].Length);
        Assert.Equal(line + "next\n", string.Concat(chunks));
    }

    [Fact]
    public void ACrLfAtTheBound_IsNotSplit()
    {
        // The buffer fills exactly at a line's \r, whose \n is still to come: the chunk ends at the line before.
        var first = "a\r\n";
        var second = new string('x', StderrBuffer.Bound - first.Length - 1) + "\r\n";

        var chunks = Chunks(new StderrBuffer(pass: true), first + second + "end\r\n", readSize: 65536);

        Assert.Equal(first, chunks[0]);
        Assert.All(chunks, c => Assert.EndsWith("\r\n", c, StringComparison.Ordinal));
    }

    [Fact]
    public void TheCpuReportsMarker_CutByTheBound_IsNeverPassed()
    {
        // Review 23 N3 (b): 64 KiB with no \n ending in the marker's start ("...\r__bri").
        const string Report = "__brigade_cpu__\n0m0.010000s 0m0.000000s\n0m1.250000s 0m0.100000s\n";
        var stderr = new string('x', 65530) + "\r";

        var buffer = new StderrBuffer(pass: true, holdBack: 512);
        var chunks = Chunks(buffer, stderr + Report, readSize: 4096, cutFrom: "__brigade_cpu__");

        Assert.Equal(stderr, string.Concat(chunks));
        Assert.Equal(stderr, chunks[0]); // nothing went out before the end
    }

    [Fact]
    public void TheMarkerInTheCommandsOwnStderr_AtAFullBuffersStart_DoesNotStopTheChunks()
    {
        // Review 23 N3 (a): an empty chunk, then 1-byte reads past the bound for good and a buffer without a limit.
        var own = "+ echo __brigade_cpu__\n__brigade_cpu__\n" + string.Concat(Enumerable.Range(0, 5000).Select(i => $"line {i}\n"));
        const string Report = "__brigade_cpu__\n0m0.010000s 0m0.000000s\n0m1.250000s 0m0.100000s\n";

        var chunks = Chunks(new StderrBuffer(pass: true, holdBack: 512), string.Concat(Enumerable.Repeat(own, 4)) + Report, readSize: 4096, cutFrom: "__brigade_cpu__");

        Assert.Equal(string.Concat(Enumerable.Repeat(own, 4)), string.Concat(chunks));
        Assert.True(chunks.Count > 2);
    }

    [Fact]
    public void NotPassed_KeepsOnlyTheTail()
    {
        var buffer = new StderrBuffer(pass: false);
        buffer.Append(Encoding.ASCII.GetBytes(new string('q', 200000) + "\nlast line\n"));

        Assert.Equal(int.MaxValue, buffer.Room);
        Assert.Null(buffer.TakeRest());
        Assert.EndsWith("last line", buffer.Tail(), StringComparison.Ordinal);
    }

    // Reads stderr as the event loop and the older path do: at most Room (and readSize) at a time, a chunk whenever Room
    // is 0 or less; the rest at the end. Each chunk as text, the last one the rest (when there is one).
    private static List<string> Chunks(StderrBuffer buffer, string stderr, int readSize, string? cutFrom = null)
    {
        var bytes = Encoding.ASCII.GetBytes(stderr);
        var chunks = new List<string>();
        var at = 0;
        var reads = 0;
        while (at < bytes.Length)
        {
            Assert.True(++reads < 100_000, "no progress");
            if (buffer.Room <= 0)
            {
                var chunk = buffer.TakeChunk();
                Assert.NotEmpty(chunk);
                chunks.Add(Encoding.ASCII.GetString(chunk));
                continue;
            }

            var read = Math.Min(Math.Min(readSize, buffer.Room), bytes.Length - at);
            buffer.Append(bytes.AsSpan(at, read));
            at += read;
        }

        if (buffer.TakeRest(cutFrom is null ? default : Encoding.ASCII.GetBytes(cutFrom)) is { } rest)
        {
            chunks.Add(Encoding.ASCII.GetString(rest));
        }

        return chunks;
    }
}
