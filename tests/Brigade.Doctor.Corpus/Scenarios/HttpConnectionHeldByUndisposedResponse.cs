using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 46: an <c>HttpClient</c> with <c>MaxConnectionsPerServer = 1</c>; a first response read with
/// <c>ResponseHeadersRead</c> is neither read to its end nor disposed (the server has not sent its whole body), so it keeps
/// the only connection; a second request on a thread (<c>.Result</c>) waits for a connection for ever. Listed (a
/// <c>TaskCompletionSource</c> inside the pool, any code may complete it); the chain ended at "a task completed by code ...
/// that nothing has completed yet", now it says the pool's connections are all in use.</summary>
public sealed class HttpConnectionHeldByUndisposedResponse : Scenario
{
    // Kept reachable, as a program keeps a response it meant to read later.
    private static HttpResponseMessage? s_first;

    public override string Name => "http-connection-held-by-undisposed-response";

    public override Expectation Expected => new(Finding.None)
    {
        Blocked = ["poller"],
        WaitKinds = ["Task"],
        TextContains = "the pool's 1 of MaxConnectionsPerServer 1 connections to this server are all in use",
    };

    public override void Start()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Run("server", () =>
        {
            var connections = new List<TcpClient>();
            while (true)
            {
                var connection = listener.AcceptTcpClient();
                connections.Add(connection);
                var stream = connection.GetStream();
                var request = new byte[4096];
                _ = stream.Read(request);

                // The headers and part of the body: the response stays open.
                var head = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nabc");
                stream.Write(head);
            }
        });
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = Timeout.InfiniteTimeSpan };
        s_first = client.GetAsync("/stream", HttpCompletionOption.ResponseHeadersRead).Result;
        var poller = Run("poller", () => Console.Error.WriteLine(client.GetStringAsync("/ping").Result));
        WaitUntilBlocked(poller);
        Thread.Sleep(500);
    }
}
