using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Brigade.Orleans;

/// <summary>
/// TLS for a cluster's connections (silo to silo, client to gateway), mutual by default: every party presents a
/// certificate, and a peer is accepted when its certificate chains to <see cref="CertificateAuthorityPath"/> (or to the
/// system's trusted roots).
/// </summary>
/// <remarks>
/// <para>Host names are not checked: silos are reached at addresses they advertise, and a cluster's identity is the
/// certificate authority that signed its members' certificates. Give every silo and client of a cluster a certificate
/// signed by one private CA, usable for both server and client authentication.</para>
/// <para>Built on Orleans' own TLS (<c>Microsoft.Orleans.Connections.Security</c>). Values are checked when a silo or
/// client starts: a missing or unreadable file fails the start with a message naming it.</para>
/// </remarks>
public sealed class ClusterTlsOptions
{
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";
    private const string AnyExtendedKeyUsage = "2.5.29.37.0";

    /// <summary>Gets or sets this party's certificate: a PKCS#12 file (<c>.pfx</c>, <c>.p12</c>) with its private key, or a
    /// PEM certificate (with its key in the same file or in <see cref="PrivateKeyPath"/>).</summary>
    /// <value>Required.</value>
    public string CertificatePath { get; set; } = "";

    /// <summary>Gets or sets the PEM private key of a PEM <see cref="CertificatePath"/>, when it is in a file of its own.</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public string? PrivateKeyPath { get; set; }

    /// <summary>Gets or sets the password of a PKCS#12 certificate file or an encrypted PEM key.</summary>
    /// <value>Defaults to <see langword="null"/> (none).</value>
    public string? Password { get; set; }

    /// <summary>Gets or sets the certificate (PEM or DER) of the authority that signed the cluster's certificates; peers must
    /// chain to it.</summary>
    /// <value>Defaults to <see langword="null"/>: peers must chain to a root the system trusts.</value>
    public string? CertificateAuthorityPath { get; set; }

    /// <summary>Gets or sets whether a silo refuses clients (and silos) that present no certificate.</summary>
    /// <value>Defaults to <see langword="true"/>: mutual TLS. Without it, anyone who can reach a gateway can run the silo's
    /// work types.</value>
    public bool RequireClientCertificate { get; set; } = true;

    internal X509Certificate2 LoadCertificate()
    {
        if (string.IsNullOrWhiteSpace(CertificatePath))
        {
            throw new ArgumentException("ClusterTlsOptions.CertificatePath is required.");
        }

        var path = Path.GetFullPath(CertificatePath);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"TLS certificate '{path}' does not exist.", path);
        }

        try
        {
            var extension = Path.GetExtension(path);
            X509Certificate2 certificate;
            if (extension.Equals(".pfx", StringComparison.OrdinalIgnoreCase) || extension.Equals(".p12", StringComparison.OrdinalIgnoreCase))
            {
                certificate = X509CertificateLoader.LoadPkcs12FromFile(path, Password);
            }
            else if (Password is not null)
            {
                certificate = X509Certificate2.CreateFromEncryptedPemFile(path, Password, PrivateKeyPath is null ? null : Path.GetFullPath(PrivateKeyPath));
            }
            else
            {
                certificate = X509Certificate2.CreateFromPemFile(path, PrivateKeyPath is null ? null : Path.GetFullPath(PrivateKeyPath));
            }

            if (!certificate.HasPrivateKey)
            {
                certificate.Dispose();
                throw new ArgumentException($"TLS certificate '{path}' has no private key (give it with the key, or the key file).");
            }

            if (Unusable(certificate, DateTime.UtcNow) is { } why)
            {
                // Peers would turn it down in the handshake, which the other side only sees as a closed connection.
                certificate.Dispose();
                throw new ArgumentException($"TLS certificate '{path}' {why}.");
            }

            return certificate;
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            // A password-protected file read without a password says only that the password "may be incorrect".
            var hint = Password is null ? " (if the file has a password, give it in ClusterTlsOptions.Password; brigade: $BRIGADE_TLS_PASSWORD)" : "";
            throw new ArgumentException($"TLS certificate '{path}' cannot be read: {e.Message}{hint}", e);
        }
    }

    internal X509Certificate2? LoadAuthority()
    {
        if (CertificateAuthorityPath is null)
        {
            return null;
        }

        var path = Path.GetFullPath(CertificateAuthorityPath);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"TLS certificate authority '{path}' does not exist.", path);
        }

        try
        {
            var text = File.ReadAllText(path);
            return text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)
                ? X509Certificate2.CreateFromPem(text)
                : X509CertificateLoader.LoadCertificateFromFile(path);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new ArgumentException($"TLS certificate authority '{path}' cannot be read: {e.Message}", e);
        }
    }

    /// <summary>Accepts a peer whose certificate chains to the authority (or a trusted root); names are not checked.</summary>
    // Why this party's own certificate cannot serve mutual TLS: out of its validity period, or an extended key usage that
    // leaves out client authentication (every silo and client opens connections as a TLS client). Null when usable.
    internal static string? Unusable(X509Certificate2 certificate, DateTime utcNow)
    {
        if (certificate.NotAfter.ToUniversalTime() < utcNow)
        {
            return $"({certificate.Subject}) expired on {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC: issue a new one";
        }

        if (certificate.NotBefore.ToUniversalTime() > utcNow)
        {
            return $"({certificate.Subject}) is not valid before {certificate.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm} UTC (is this machine's clock right?)";
        }

        var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault()?.EnhancedKeyUsages;
        if (usages is not null && usages.Count > 0 && !usages.Cast<System.Security.Cryptography.Oid>().Any(u => u.Value is ClientAuthentication or AnyExtendedKeyUsage))
        {
            return $"({certificate.Subject}) is not for client authentication: its extended key usage lacks clientAuth ({ClientAuthentication}); " +
                "silos and clients both open connections, so every certificate needs serverAuth and clientAuth (openssl: extendedKeyUsage=serverAuth,clientAuth)";
        }

        return null;
    }

    internal static bool Validate(X509Certificate2 certificate, X509Certificate2? authority, SslPolicyErrors errors)
    {
        if (authority is null)
        {
            return (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
