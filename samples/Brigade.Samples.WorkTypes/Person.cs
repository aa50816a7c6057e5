namespace Brigade.Samples.WorkTypes;

/// <summary>A person, as read from a JSON line or a CSV row with <c>name</c> and <c>age</c> columns.</summary>
/// <param name="Name">The person's name.</param>
/// <param name="Age">The person's age in years.</param>
public sealed record Person(string Name, int Age);
