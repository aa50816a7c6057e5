using System.Globalization;
using System.Text;

namespace Brigade.Cli.Tests;

/// <summary>
/// Review R7: <see cref="ByteStdout"/> left most <c>WriteLine</c> overloads to <see cref="TextWriter"/>'s, which write the
/// value and the newline in two locked calls: a result's bytes written by another thread could land between a line and
/// its newline.
/// </summary>
public sealed class ByteStdoutTests
{
    [Fact]
    public async Task EveryWriteLine_ReachesTheStream_InOneWrite_WithItsNewline()
    {
        var stream = new RecordingStream();
        using (var writer = new ByteStdout(stream) { NewLine = "\n" })
        {
            writer.WriteLine(42);
            writer.WriteLine(42u);
            writer.WriteLine(42L);
            writer.WriteLine(42UL);
            writer.WriteLine(4.0f);
            writer.WriteLine(4.0);
            writer.WriteLine(4m);
            writer.WriteLine(true);
            writer.WriteLine('c');
            writer.WriteLine(new[] { 'a', 'b' });
            writer.WriteLine(new[] { 'x', 'a', 'b', 'x' }, 1, 2);
            writer.WriteLine("span".AsSpan());
            writer.WriteLine(new StringBuilder("builder"));
            writer.WriteLine((object)"object");
            writer.WriteLine((object?)null);
            writer.WriteLine("{0}-{1}", 1, 2);
            writer.WriteLine("{0}-{1}-{2}", 1, 2, 3);
            writer.WriteLine("{0}", 1);
            writer.WriteLine("{0}{1}{2}{3}", 1, 2, 3, 4);
            writer.WriteLine("string");
            writer.WriteLine();
            await writer.WriteLineAsync("async");
            await writer.WriteLineAsync("async memory".AsMemory());
            await writer.WriteLineAsync('z');
            await writer.WriteLineAsync(new StringBuilder("async builder"));
        }

        string[] expected =
        [
            "42", "42", "42", "42", "4", "4", "4", "True", "c", "ab", "ab", "span", "builder", "object", "", "1-2", "1-2-3", "1", "1234",
            "string", "", "async", "async memory", "z", "async builder",
        ];
        Assert.Equal(expected.Select(e => e + "\n"), stream.Writes.Select(w => Encoding.UTF8.GetString(w)));
    }

    [Fact(Timeout = 60_000)]
    public async Task ConcurrentLinesAndBytes_NeverSplitALineFromItsNewline()
    {
        var stream = new RecordingStream();
        using var writer = new ByteStdout(stream) { NewLine = "\n" };
        const int Rounds = 2_000;
        using var start = new Barrier(3);
        var lines = Task.Run(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < Rounds; i++)
            {
                writer.WriteLine(i);
                writer.WriteLine(new StringBuilder("sb-").Append(i));
                writer.WriteLine("s-{0}", i);
            }
        });
        var chars = Task.Run(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < Rounds; i++)
            {
                writer.WriteLine($"c-{i}".ToCharArray());
                writer.WriteLine(true);
            }
        });
        var bytes = Task.Run(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < Rounds * 3; i++)
            {
                writer.WriteBytes("bytes\n"u8);
            }
        });
        await Task.WhenAll(lines, chars, bytes);

        var all = Encoding.UTF8.GetString([.. stream.Writes.SelectMany(w => w)]).Split('\n');
        Assert.Equal("", all[^1]);
        var seen = all[..^1];
        Assert.Equal(Rounds * 8, seen.Length);
        Assert.Equal(Rounds * 3, seen.Count(l => l == "bytes"));
        Assert.Equal(Rounds, seen.Count(l => l == "True"));
        Assert.Equal(Enumerable.Range(0, Rounds).Select(i => i.ToString(CultureInfo.CurrentCulture)), seen.Where(l => l.Length > 0 && char.IsAsciiDigit(l[0]) || l.StartsWith('-')));
        Assert.Equal(Enumerable.Range(0, Rounds).Select(i => $"sb-{i}"), seen.Where(l => l.StartsWith("sb-", StringComparison.Ordinal)));
        Assert.Equal(Enumerable.Range(0, Rounds).Select(i => $"s-{i}"), seen.Where(l => l.StartsWith("s-", StringComparison.Ordinal)));
        Assert.Equal(Enumerable.Range(0, Rounds).Select(i => $"c-{i}"), seen.Where(l => l.StartsWith("c-", StringComparison.Ordinal)));
    }

    // Review 23 S1: stdout and stderr on one pipe (2>&1 | less) were two writers with a lock each; a pipe takes a write
    // over 4096 bytes in pieces, and the other writer's pieces landed between them. Writers of one file share one lock.
    [Fact(Timeout = 60_000)]
    public async Task TwoWritersOfOneFile_SharingALock_NeverWriteInsideEachOther()
    {
        var pipe = new PipeLikeSink();
        using var results = new ByteStdout(pipe.Open()) { NewLine = "\n" };
        using var stderr = new ByteStdout(pipe.Open(), results) { NewLine = "\n" };
        const int Rounds = 40;
        byte[] result = [.. Enumerable.Repeat((byte)'a', 60_000), (byte)'\n'];
        var line = new string('b', 60_000);
        using var start = new Barrier(2);

        // Threads of their own: on pool threads, the first to reach the barrier blocks there until the pool gives the
        // second a thread, and at load 66, with in-process demo and advise runs of other tests busy on the pool, that
        // took more than the test's 60 s.
        var a = Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < Rounds; i++)
            {
                results.WriteBytes(result);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var b = Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < Rounds; i++)
            {
                stderr.WriteBytes(Encoding.ASCII.GetBytes(line + "\n"));
                stderr.WriteLine(line);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await Task.WhenAll(a, b);

        Assert.Equal(0, pipe.Overlaps);
        var lines = Encoding.ASCII.GetString(pipe.Bytes).Split('\n')[..^1];
        Assert.Equal(Rounds * 3, lines.Length);
        Assert.All(lines, l => Assert.True(l == line || l == new string('a', 60_000), $"a mixed line of {l.Length}"));
    }

    // One pipe that several streams write to (descriptors 1 and 2 of 2>&1), taking each write in 4096-byte pieces as a
    // pipe whose reader is slow does, and counting writes that ran inside another's.
    private sealed class PipeLikeSink
    {
        private readonly Lock _gate = new();
        private readonly List<byte> _bytes = [];
        private int _inside;
        private int _overlaps;

        public int Overlaps => Volatile.Read(ref _overlaps);

        public byte[] Bytes
        {
            get
            {
                lock (_gate)
                {
                    return [.. _bytes];
                }
            }
        }

        public Stream Open() => new End(this);

        private void Write(ReadOnlySpan<byte> buffer)
        {
            if (Interlocked.Increment(ref _inside) > 1)
            {
                Interlocked.Increment(ref _overlaps);
            }

            for (var at = 0; at < buffer.Length; at += 4096)
            {
                lock (_gate)
                {
                    _bytes.AddRange(buffer[at..Math.Min(buffer.Length, at + 4096)]);
                }

                Thread.Yield();
            }

            Interlocked.Decrement(ref _inside);
        }

        private sealed class End(PipeLikeSink sink) : Stream
        {
            public override bool CanRead => false;

            public override bool CanSeek => false;

            public override bool CanWrite => true;

            public override long Length => throw new NotSupportedException();

            public override long Position
            {
                get => throw new NotSupportedException();
                set => throw new NotSupportedException();
            }

            public override void Write(byte[] buffer, int offset, int count) => sink.Write(buffer.AsSpan(offset, count));

            public override void Write(ReadOnlySpan<byte> buffer) => sink.Write(buffer);

            public override void Flush()
            {
            }

            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();
        }
    }

    // Keeps each write apart, as a pipe's reader would see it.
    private sealed class RecordingStream : Stream
    {
        private readonly Lock _gate = new();
        private readonly List<byte[]> _writes = [];

        public IReadOnlyList<byte[]> Writes
        {
            get
            {
                lock (_gate)
                {
                    return [.. _writes];
                }
            }
        }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            lock (_gate)
            {
                _writes.Add(buffer.ToArray());
            }
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
