using System.Security.Cryptography.X509Certificates;
using Brigade.Orleans.Membership;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Microsoft.Extensions.Hosting;
using Orleans.Connections.Security;
using StackExchange.Redis;

namespace Brigade.Orleans.Hosting;

/// <summary>What silos and clients of one cluster configure alike: the membership store, the cluster ids, TLS.</summary>
internal static class ClusterSetup
{
    // A client reads the live gateways from the membership store this often (Orleans' default is a minute): a dead silo's
    // gateway is dropped soon after the cluster declares it dead.
    private static readonly TimeSpan GatewayListRefresh = TimeSpan.FromSeconds(5);

    public static void UseMembership(ISiloBuilder silo, ClusterMembership membership, string clusterId, string serviceId)
    {
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = clusterId;
            o.ServiceId = serviceId;
        });
        switch (membership.Kind)
        {
            case ClusterMembershipKind.Redis:
                silo.UseRedisClustering(o => o.ConfigurationOptions = RedisOptions(membership));
                break;
            case ClusterMembershipKind.Postgres:
                silo.UseAdoNetClustering(o =>
                {
                    o.Invariant = PostgresSchema.Invariant;
                    o.ConnectionString = membership.ConnectionString;
                });
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(membership), membership.Kind, "Unknown membership store.");
        }
    }

    public static void UseMembership(IClientBuilder client, ClusterMembership membership, string clusterId, string serviceId)
    {
        client.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = clusterId;
            o.ServiceId = serviceId;
        });
        client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = GatewayListRefresh);
        switch (membership.Kind)
        {
            case ClusterMembershipKind.Redis:
                client.UseRedisClustering(o => o.ConfigurationOptions = RedisOptions(membership));
                break;
            case ClusterMembershipKind.Postgres:
                client.UseAdoNetClustering(o =>
                {
                    o.Invariant = PostgresSchema.Invariant;
                    o.ConnectionString = membership.ConnectionString;
                });
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(membership), membership.Kind, "Unknown membership store.");
        }
    }

    /// <summary>Reads the certificates now, so that a bad path or password fails before anything starts.</summary>
    public static (X509Certificate2 Certificate, X509Certificate2? Authority) Load(ClusterTlsOptions tls) => (tls.LoadCertificate(), tls.LoadAuthority());

    public static void UseTls(ISiloBuilder silo, ClusterTlsOptions tls, (X509Certificate2 Certificate, X509Certificate2? Authority) loaded) =>
        silo.UseTls(loaded.Certificate, o => Configure(o, tls, loaded.Authority));

    public static void UseTls(IClientBuilder client, ClusterTlsOptions tls, (X509Certificate2 Certificate, X509Certificate2? Authority) loaded) =>
        client.UseTls(loaded.Certificate, o => Configure(o, tls, loaded.Authority));

    private static void Configure(TlsOptions options, ClusterTlsOptions tls, X509Certificate2? authority)
    {
        options.RemoteCertificateMode = tls.RequireClientCertificate ? RemoteCertificateMode.RequireCertificate : RemoteCertificateMode.AllowCertificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.RemoteCertificateValidation = (certificate, _, errors) => ClusterTlsOptions.Validate(certificate, authority, errors);
        options.HandshakeTimeout = TimeSpan.FromSeconds(10);
    }

    private static ConfigurationOptions RedisOptions(ClusterMembership membership)
    {
        var options = ConfigurationOptions.Parse(membership.ConnectionString);

        // A silo or client may start before Redis answers: keep trying instead of failing the first connect.
        options.AbortOnConnectFail = false;
        return options;
    }
}
