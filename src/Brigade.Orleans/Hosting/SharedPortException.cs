namespace Brigade.Orleans.Hosting;

/// <summary>A silo's port is bound by another process too (<see cref="SharedPortCheck"/>): the start fails.</summary>
internal sealed class SharedPortException(int port, bool gateway, string message) : IOException(message)
{
    /// <summary>Gets the port.</summary>
    public int Port { get; } = port;

    /// <summary>Gets whether it is the gateway port (else the silo port).</summary>
    public bool Gateway { get; } = gateway;
}
