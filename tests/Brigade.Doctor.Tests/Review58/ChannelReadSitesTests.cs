using System.Reflection;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Brigade.Doctor.Analysis;

namespace Brigade.Doctor.Tests.Review58;

/// <summary>Review 58: a consumer that reads its channel through a field or a static each time round (<c>while (await
/// _jobs.Reader.WaitToReadAsync()) while (_jobs.Reader.TryRead(out var job))</c>, <c>await Outbox.Reader.ReadAsync()</c>)
/// holds nothing of the reader across its await, so a loop writing to its own full channel that way read "No pitfall
/// found" (/tmp/doctor58-progs, RetryQueueStatic). Its IL names the channel it reads: read here from this assembly's own
/// state machines, as the doctor reads a dumped program's.</summary>
public sealed class ChannelReadSitesTests
{
    [Fact]
    public void WaitToReadAndTryReadThroughAField_NameTheField()
    {
        var reads = Reads(nameof(Pump.DrainAsync));

        // Failed before: no such list (the flow's reads of its channel were not read at all).
        Assert.Contains(reads, r => r.Callee == "WaitToReadAsync" && r.Receiver?.Display == "_jobs");
        Assert.Contains(reads, r => r.Callee == "TryRead" && r.Receiver?.Display == "_jobs");
    }

    [Fact]
    public void ReadAsyncThroughAStatic_NamesTheStatic()
    {
        var read = Assert.Single(Reads(nameof(Pump.SendLoopAsync)));

        Assert.Equal("ReadAsync", read.Callee);
        Assert.Equal("Pump.Outbox", read.Receiver?.Display);
    }

    [Fact]
    public void AWriteIsNoRead()
    {
        Assert.Empty(Reads(nameof(Pump.ProduceAsync)));
    }

    private static List<AwaitSites.Site> Reads(string method)
    {
        var machineType = typeof(Pump).GetMethod(method, BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public)!
            .GetCustomAttribute<AsyncStateMachineAttribute>()!.StateMachineType;
        var moveNext = machineType.GetMethod("MoveNext", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)!;
        var machine = AwaitSites.ReadFile(machineType.Assembly.Location, moveNext.MetadataToken);
        Assert.NotNull(machine);
        return machine.ChannelReads;
    }

    /// <summary>Channel loops as services write them.</summary>
    private sealed class Pump
    {
        private static readonly Channel<string> Outbox = Channel.CreateBounded<string>(1);
        private readonly Channel<int> _jobs = Channel.CreateBounded<int>(2);

        public static async Task SendLoopAsync()
        {
            var mail = await Outbox.Reader.ReadAsync();
            await Outbox.Writer.WriteAsync(mail + "-retry");
        }

        public async Task DrainAsync()
        {
            while (await _jobs.Reader.WaitToReadAsync())
            {
                while (_jobs.Reader.TryRead(out var job))
                {
                    await _jobs.Writer.WriteAsync(job + 1);
                }
            }
        }

        public async Task ProduceAsync() => await _jobs.Writer.WriteAsync(1);
    }
}
