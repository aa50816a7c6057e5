namespace Brigade.Auto;

/// <summary>
/// The reading of a running <see cref="IExternalCpuSource"/> that <see cref="ExternalCpuTime.Track"/> began: disposing it
/// stops auto mode reading the source (another source tracked since is left as it is).
/// </summary>
public readonly struct ExternalCpuScope : IDisposable, IEquatable<ExternalCpuScope>
{
    private readonly ExternalCpuTime.CpuAccount? _account;
    private readonly IExternalCpuSource? _source;

    internal ExternalCpuScope(ExternalCpuTime.CpuAccount? account, IExternalCpuSource source)
    {
        _account = account;
        _source = source;
    }

    /// <summary>Tests two scopes for equality.</summary>
    /// <param name="left">The first scope.</param>
    /// <param name="right">The second scope.</param>
    /// <returns>Whether they track the same source for the same worker.</returns>
    public static bool operator ==(ExternalCpuScope left, ExternalCpuScope right) => left.Equals(right);

    /// <summary>Tests two scopes for inequality.</summary>
    /// <param name="left">The first scope.</param>
    /// <param name="right">The second scope.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(ExternalCpuScope left, ExternalCpuScope right) => !left.Equals(right);

    /// <summary>Stops the reading of the tracked source, if it is still the current one.</summary>
    public void Dispose()
    {
        if (_source is not null)
        {
            _account?.ClearRunning(_source);
        }
    }

    /// <inheritdoc/>
    public bool Equals(ExternalCpuScope other) => ReferenceEquals(_account, other._account) && ReferenceEquals(_source, other._source);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ExternalCpuScope other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_account, _source);
}
