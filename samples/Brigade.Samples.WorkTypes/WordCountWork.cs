namespace Brigade.Samples.WorkTypes;

/// <summary>Counts the words of a line of text.</summary>
public sealed class WordCountWork : IWork<string, int>
{
    /// <inheritdoc/>
    public int Execute(string input) => input.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
}
