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
                return NotTls(answer.First) is { } what ? NotAGateway(gateway, what) : Refused(gateway, tls, presented, trusted);
            }
            finally
            {
                using (presented)
                {
                }
            }

            // The handshake went through: a silo that turned the certificate down now closes the connection.
            using var window = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            window.CancelAfter(RejectionWindow);
            try
            {
                var read = await ssl.ReadAsync(new byte[1], window.Token).ConfigureAwait(false);
                return read == 0 ? CertificateRefused(gateway) : null;
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
