using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Brigade.Orleans.Hosting;

/// <summary>
/// Tells at once when a gateway and this client disagree on TLS, which Orleans' client reports only as no gateway
/// answering, after its whole connect timeout: one TCP connection and one TLS handshake, beside the client's own start.
/// </summary>
/// <remarks>
/// A silo with TLS expects a TLS handshake before anything else; one without reads a handshake as a bad preamble and
/// closes the connection. With mutual TLS the silo may turn the client's certificate down after the handshake has
/// ended on the client's side (TLS 1.3): it then closes the connection without a word, where a silo that took it
/// waits for the client's Orleans preamble. A silo never speaks first, and with or without TLS it answers a handshake
/// with TLS or not at all: an endpoint that answers it with something else (an HTTP server's page, a database's banner)
/// is no silo's gateway, which Orleans' client also reports only as no gateway answering (review 58). The probe says
/// nothing when it cannot tell (no TCP connection, a handshake the silo takes): then the client's own outcome stands.
/// </remarks>
internal static class GatewayTlsProbe
{
    // How long a silo that took the handshake is given to close the connection on a certificate it turned down.
    private static readonly TimeSpan RejectionWindow = TimeSpan.FromMilliseconds(500);

    // How long the endpoint is given to speak before this client does (a silo port writes its preamble as it accepts).
    private static readonly TimeSpan SpeakFirstWindow = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(20);
    private const int PreambleBytes = 64;

    /// <summary>Returns why <paramref name="gateway"/> refuses this client's TLS setting, or null when it does not, or cannot be told.</summary>
    public static async Task<string?> RefusalAsync(
        IPEndPoint gateway, (X509Certificate2 Certificate, X509Certificate2? Authority)? tls, CancellationToken cancellationToken)
    {
        using var tcp = new TcpClient(gateway.AddressFamily);
        try
        {
            await tcp.ConnectAsync(gateway, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            return null;
        }

        // A silo's gateway waits for the client's preamble; its silo-to-silo port sends its own at once (Orleans'
        // SiloConnection writes and reads the preamble together). Review 59: `--gateway 11111`, a silo's --port, waited out
        // the whole connect timeout and then said no gateway answered.
        if (await SpeaksFirstAsync(tcp, cancellationToken).ConfigureAwait(false) is { Length: > 0 } unasked)
        {
            return SpokeFirst(gateway, unasked, afterTls: false);
        }

        X509Certificate2? presented = null;
        bool? trusted = null;
        var answer = new FirstBytesStream(tcp.GetStream(), 64);
        var ssl = new SslStream(answer, leaveInnerStreamOpen: false, (_, certificate, _, errors) =>
        {
            presented = certificate is null ? null : new X509Certificate2(certificate);
            trusted = tls is { } t && presented is not null && ClusterTlsOptions.Validate(presented, t.Authority, errors);
            return trusted.Value;
        });
        await using (ssl.ConfigureAwait(false))
        {
            try
            {
                var options = new SslClientAuthenticationOptions
                {
                    TargetHost = gateway.Address.ToString(),
                    ClientCertificates = tls is { } t ? [t.Certificate] : null,
                };
                await ssl.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is AuthenticationException or IOException)
            {
                // A silo port slower to speak than SpeakFirstWindow (a loaded machine) said its preamble during the handshake.
                return LooksLikePreamble(answer.First) ? SpokeFirst(gateway, answer.First.ToArray(), afterTls: false)
                    : NotTls(answer.First) is { } what ? NotAGateway(gateway, what) : Refused(gateway, tls, presented, trusted);
            }
            finally
            {
                using (presented)
                {
                }
            }

            // The handshake went through: a silo that turned the certificate down now closes the connection, and a silo's
            // silo-to-silo port (with TLS, it speaks only after the handshake) sends its preamble.
            using var window = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            window.CancelAfter(RejectionWindow);
            try
            {
                var first = new byte[PreambleBytes];
                var read = await ssl.ReadAsync(first, window.Token).ConfigureAwait(false);
                return read == 0 ? CertificateRefused(gateway) : SpokeFirst(gateway, first.AsSpan(0, read).ToArray(), afterTls: true);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return null;
            }
            catch (Exception e) when (e is AuthenticationException or IOException)
            {
                return CertificateRefused(gateway);
            }
        }
    }

    // Bytes the endpoint sent before this client said anything, within SpeakFirstWindow; empty when it sent none (or
    // closed the connection: the TLS handshake then tells what it can).
    private static async Task<byte[]> SpeaksFirstAsync(TcpClient tcp, CancellationToken cancellationToken)
    {
        var socket = tcp.Client;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < SpeakFirstWindow)
        {
            if (socket.Poll(0, SelectMode.SelectRead))
            {
                if (socket.Available == 0)
                {
                    return [];
                }

                var first = new byte[Math.Min(socket.Available, PreambleBytes)];
                var read = await socket.ReceiveAsync(first, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                return first[..read];
            }

            await Task.Delay(PollEvery, cancellationToken).ConfigureAwait(false);
        }

        return [];
    }

    // An endpoint that speaks before the client: a silo's silo port when what it says opens like Orleans' connection
    // preamble (a 4-byte little-endian length, then that many bytes), else something that is no silo at all (an SSH or
    // mail server's banner).
    private static string SpokeFirst(IPEndPoint gateway, byte[] unasked, bool afterTls)
    {
        if (LooksLikePreamble(unasked))
        {
            return $"what listens at {gateway} is a silo's silo-to-silo port, not its gateway: it spoke first{(afterTls ? " after the TLS handshake" : "")}, " +
                $"as only a silo port does (give the silos' --gateway-port, {BrigadeSiloOptions.DefaultGatewayPort} unless they were started with another; {gateway.Port} is a --port)";
        }

        return NotTls(unasked) is { } what
            ? NotAGateway(gateway, what)
            : $"what listens at {gateway} is not a silo's gateway: it spoke first, with {unasked.Length} bytes (is {gateway.Port} the silos' --gateway-port?)";
    }

    /// <summary>Whether <paramref name="bytes"/> open like an Orleans connection preamble: a little-endian length of a
    /// few bytes to a few hundred, then the serialized preamble.</summary>
    internal static bool LooksLikePreamble(ReadOnlySpan<byte> bytes) =>
        bytes.Length > 4 && System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(bytes) is > 0 and <= 4096;

    private static string? Refused(IPEndPoint gateway, (X509Certificate2 Certificate, X509Certificate2? Authority)? tls, X509Certificate2? presented, bool? trusted)
    {
        if (tls is null)
        {
            // No TLS here: a gateway that presented a certificate speaks TLS; one that did not is not TLS at all.
            return presented is not null
                ? $"the gateway at {gateway} requires TLS ({presented.Subject}) and this client has none (brigade: --tls-cert, --tls-ca)"
                : null;
        }

        var t = tls.Value;
        return trusted switch
        {
            null => $"the gateway at {gateway} did not answer the TLS handshake (is the silo started without TLS?)",
            // Without a CA of its own the client trusts the machine's roots (ClusterTlsOptions.Validate): no CA was "given".
            false when t.Authority is null => $"the gateway at {gateway} presented a certificate ({presented?.Subject}) signed by no certificate authority this machine trusts, and no --tls-ca was given (brigade: --tls-ca PATH, the CA that signed the silos' certificates)",
            false => $"the gateway at {gateway} presented a certificate ({presented?.Subject}) the given certificate authority did not sign (brigade: --tls-ca)",
            true => CertificateRefused(gateway),
        };
    }

    // What the endpoint answered, when it answered with something that is not a TLS record (content type 20-24, protocol
    // major version 3): its first line when that is text, else how many bytes; null when it said nothing or spoke TLS.
    private static string? NotTls(ReadOnlySpan<byte> answer)
    {
        if (answer.IsEmpty || (answer[0] is >= 20 and <= 24 && (answer.Length < 2 || answer[1] == 3)))
        {
            return null;
        }

        var line = answer[..Math.Min(answer.Length, 40)];
        var end = line.IndexOfAny((byte)'\r', (byte)'\n');
        line = end < 0 ? line : line[..end];
        foreach (var b in line)
        {
            if (b is < 0x20 or >= 0x7f)
            {
                return $"{answer.Length} bytes that are neither TLS nor Orleans";
            }
        }

        return line.Length >= 4 ? $"\"{System.Text.Encoding.ASCII.GetString(line)}\"" : $"{answer.Length} bytes that are neither TLS nor Orleans";
    }

    private static string NotAGateway(IPEndPoint gateway, string answer) =>
        $"what listens at {gateway} is not a silo's gateway: it answered with {answer} (is {gateway.Port} the silos' --gateway-port?)";

    private static string CertificateRefused(IPEndPoint gateway) =>
        $"the gateway at {gateway} turned this client's certificate down (is it signed by the certificate authority the silo trusts?)";
}
