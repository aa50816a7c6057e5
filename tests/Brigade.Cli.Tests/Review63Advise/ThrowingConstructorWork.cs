namespace Brigade.Cli.Tests.Review63Advise;

/// <summary>A work type whose constructor throws, as one that reads its configuration there would when it is missing.</summary>
public sealed class ThrowingConstructorWork : IWork<int, int>
{
    /// <summary>Throws, as a missing configuration would.</summary>
    public ThrowingConstructorWork() => throw new InvalidOperationException("ACME_CONNECTION_STRING is not set");

    /// <inheritdoc/>
    public int Execute(int input) => input;
}
