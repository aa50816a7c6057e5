using Microsoft.Extensions.Hosting;

namespace Brigade.Orleans.Hosting;

/// <summary>
/// Prints the ready line once the silo has started (what <see cref="LocalSiloProcess"/> waits for), and stops the host
/// when standard input closes, if asked to.
/// </summary>
internal sealed class SiloAnnouncer(BrigadeSiloOptions options, IReadOnlyList<string> workAssemblies, IHostApplicationLifetime lifetime) : IHostedService
{
    public const string ReadyPrefix = "brigade silo ready:";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            // One line on stdout, flushed: a parent process reads it to know the silo accepts work.
            Console.Out.WriteLine(
                $"{ReadyPrefix} silo {Where(options.SiloPort)}, gateway {Where(options.GatewayPort)}, cluster '{options.ClusterId}', " +
                $"{(options.Membership is { } m ? $"membership {m}" : $"localhost clustering, primary port {options.PrimarySiloPort}")}{(options.Tls is null ? "" : ", TLS")}, " +
                $"work assemblies: {string.Join(", ", workAssemblies)}");
            Console.Out.Flush();
        });

        if (options.ExitWhenStandardInputCloses)
        {
            var watcher = new Thread(() =>
            {
                try
                {
                    using var input = Console.OpenStandardInput();
                    var buffer = new byte[256];
                    while (input.Read(buffer, 0, buffer.Length) > 0)
                    {
                    }
                }
                catch (IOException)
                {
                    // A broken pipe is a closed pipe.
                }

                lifetime.StopApplication();
            })
            {
                IsBackground = true,
                Name = "brigade-silo-stdin-watch",
            };
            watcher.Start();
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private string Where(int port) =>
        options.AdvertisedAddress is { } advertised && !advertised.Equals(options.Address)
            ? $"{advertised}:{port} (bound to {options.Address}:{port})"
            : $"{options.Address}:{port}";
}
