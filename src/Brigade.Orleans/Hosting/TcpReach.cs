using System.Net.Sockets;

namespace Brigade.Orleans.Hosting;

/// <summary>
/// Whether something accepts a TCP connection at an endpoint within a bound: what a client tells before Orleans' own
/// retries (a membership store that does not answer) and what a joining silo tells of its primary (SiloCommand).
/// </summary>
internal static class TcpReach
{
    /// <summary>Connects once to <paramref name="host"/>:<paramref name="port"/> and closes the connection.</summary>
    /// <param name="host">A host name or address.</param>
    /// <param name="port">The port.</param>
    /// <param name="bound">How long the connection may take.</param>
    /// <param name="cancellationToken">Ends the attempt.</param>
    /// <returns>Null when something accepted the connection; else why not: the socket error (a refusal, no route, a
    /// name that does not resolve), or <see cref="SocketError.TimedOut"/> when nothing answered within <paramref name="bound"/>.</returns>
    public static async Task<SocketException?> WhyNotAsync(string host, int port, TimeSpan bound, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(host, port, cancellationToken).AsTask().WaitAsync(bound, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (SocketException e)
        {
            return e;
        }
        catch (TimeoutException)
        {
            return new SocketException((int)SocketError.TimedOut);
        }
    }
}
