using System.Threading.Channels;

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Audit 4: a request channel and a reply channel, bounded to one item each; the server and the client block
/// synchronously (<c>WriteAsync(...).AsTask().Wait()</c>) writing to the full one the other should read. A hang the dump
/// cannot prove (any code may read); listed, with each wait named as a channel write, where it was "task of type
/// System.Threading.Tasks.ValueTask+ValueTaskSourceAsTask".</summary>
public sealed class ChannelWritersBlockedSynchronously : Scenario
{
    public override string Name => "channel-writers-blocked-synchronously";

    public override Expectation Expected => new(Finding.None) { Blocked = ["server", "client"], WaitKinds = ["Task"] };

    public override void Start()
    {
        var requests = Channel.CreateBounded<int>(1);
        var replies = Channel.CreateBounded<int>(1);
        var server = Run("server", () =>
        {
            var request = requests.Reader.ReadAsync().AsTask().Result;
            replies.Writer.WriteAsync(request).AsTask().Wait();
            replies.Writer.WriteAsync(-request).AsTask().Wait();
        });
        var client = Run("client", () =>
        {
            requests.Writer.WriteAsync(1).AsTask().Wait();
            requests.Writer.WriteAsync(2).AsTask().Wait();
            requests.Writer.WriteAsync(3).AsTask().Wait();
        });
        WaitUntilBlocked(server, client);
    }
}
