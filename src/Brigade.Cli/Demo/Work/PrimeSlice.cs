namespace Brigade.Cli.Demo.Work;

/// <summary>A range of numbers [From, To) to search for primes; crosses to worker processes as JSON.</summary>
internal readonly record struct PrimeSlice(long From, long To);
