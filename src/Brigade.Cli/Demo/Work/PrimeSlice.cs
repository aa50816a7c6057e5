namespace Brigade.Cli.Demo.Work;

/// <summary>A range [From, To) of numbers whose primes to count: the input of the cluster scene's work.</summary>
internal sealed record PrimeSlice(long From, long To);
