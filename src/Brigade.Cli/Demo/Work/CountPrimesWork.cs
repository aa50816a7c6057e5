namespace Brigade.Cli.Demo.Work;

/// <summary>Counting primes in a slice as a work type, so that worker processes can run it.</summary>
internal sealed class CountPrimesWork : IWork<PrimeSlice, int>
{
    public int Execute(PrimeSlice input) => Workloads.CountPrimes(input.From, input.To);
}
