namespace Brigade.Cli.Demo.Work;

/// <summary>Counting primes in a slice as a work type, so worker processes and silos (<c>brigade silo</c>) can run it.</summary>
/// <remarks>Every <c>brigade silo</c> accepts the CLI's own work types; others come from <c>--assembly</c>.</remarks>
[WorkSerializer(typeof(DemoWorkJson))]
internal sealed class CountPrimesWork : IWork<PrimeSlice, int>
{
    public int Execute(PrimeSlice input) => Workloads.CountPrimes(input.From, input.To);
}
