using System.Net;
using System.Net.Sockets;

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Correct twin: a thread waits for a socket read from a peer that has not sent anything yet (I/O, not a deadlock).</summary>
public sealed class SocketRead : Scenario
{
    private static readonly List<Socket> Keep = [];

    public override string Name => "twin-socket-read";

    public override Expectation Expected => new(Finding.None);

    public override void Start()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        var server = listener.Accept();
        Keep.AddRange([listener, client, server]);
        // A thread in a socket read is in native code, not WaitSleepJoin: give it a moment to get there.
        var reading = 0;
        Run("socket-reader", () =>
        {
            Volatile.Write(ref reading, 1);
            server.Receive(new byte[16]);
        });
        WaitUntil(() => Volatile.Read(ref reading) == 1);
    }
}
