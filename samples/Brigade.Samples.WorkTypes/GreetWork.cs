namespace Brigade.Samples.WorkTypes;

/// <summary>Greets a person; throws for a negative age, to show how failures are reported.</summary>
public sealed class GreetWork : IWork<Person, string>
{
    /// <inheritdoc/>
    public string Execute(Person input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegative(input.Age);
        return $"Hello, {input.Name} ({input.Age})!";
    }
}
