using System.Text;
using System.Text.Json;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Run;

public sealed class JournalRecordWriterTests
{
    public static TheoryData<string> Kinds => ["h", "r", "rerr", "rretried", "w", "u", "c"];

    // The journal's writer and its reader (the source-generated context) must agree on every field of every kind: a
    // journal written by one version of brigade is resumed by the next.
    [Theory]
    [MemberData(nameof(Kinds))]
    public void WriteLine_WritesWhatJsonSerializerWrites_AndReadsBack(string kind)
    {
        var record = Sample(kind);
        using var buffer = new MemoryStream();
        using (var writer = new JournalRecordWriter())
        {
            writer.WriteLine(buffer, record);
            writer.WriteLine(buffer, record); // reused: the second line is the same
        }

        var text = Encoding.UTF8.GetString(buffer.ToArray());
        var expected = JsonSerializer.Serialize(record, RunJsonContext.Default.JournalRecord);
        Assert.Equal(expected + "\n" + expected + "\n", text);

        var back = JsonSerializer.Deserialize(text.AsSpan(0, text.IndexOf('\n')), RunJsonContext.Default.JournalRecord)!;
        Assert.Equal(expected, JsonSerializer.Serialize(back, RunJsonContext.Default.JournalRecord));
    }

    private static JournalRecord Sample(string kind) => kind switch
    {
        "h" => new JournalRecord { Kind = "h", Version = 2, Input = "/tmp/in \"quoted\" ü.txt", Work = "exec:echo {} <&> 'x'", Ordered = true, Format = "lines", NullSeparated = false },
        "r" => new JournalRecord { Kind = "r", Index = 12, Output = [0, 1, 2, 255, (byte)'\n'] },
        "rerr" => new JournalRecord { Kind = "r", Index = 3, Line = 4, ItemText = "tab\there\u2028", Error = "exit code 1: no such file" },
        "rretried" => new JournalRecord { Kind = "r", Index = 7, Line = 8, ItemText = "x", Error = "exit code 1 (after 3 attempts)", Attempts = 3 },
        "w" => new JournalRecord { Kind = "w", UpTo = 100, OutputLength = 4096, FailuresLength = 0, InputBytes = long.MaxValue, InputItems = 100, InputHash = "ab12" },
        "u" => new JournalRecord { Kind = "u", Delivered = [5, 1, 9], OutputLength = 7, InputBytes = 1, InputItems = 1, InputHash = "00" },
        _ => new JournalRecord { Kind = "c", FailedCount = 2 },
    };
}
