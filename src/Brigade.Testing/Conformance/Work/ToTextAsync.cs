namespace Brigade.Testing.Conformance.Work;

/// <summary>The asynchronous twin of <see cref="ToText"/>.</summary>
/// <remarks>Public, with a parameterless constructor, so engines that run items elsewhere recreate it by name.</remarks>
public sealed class ToTextAsync : IAsyncWork<ConformanceItem, string>
{
    /// <inheritdoc/>
    public async ValueTask<string> ExecuteAsync(ConformanceItem input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        await ConformanceWork.RunAsync(input, cancellationToken).ConfigureAwait(false);
        return input.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
