namespace Brigade.Cli.Demo.Work;

/// <summary>A range [From, To) of numbers whose primes to count; crosses to worker processes and silos as JSON.</summary>
internal readonly record struct PrimeSlice(long From, long To);
