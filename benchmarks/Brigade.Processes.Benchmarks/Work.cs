namespace Brigade.Processes.Benchmarks;

/// <summary>The trivial item of the overhead comparison: the same as Python's <c>def f(x): return x + 1</c>.</summary>
public sealed class AddOne : IWork<int, int>
{
    public int Execute(int input) => input + 1;
}

/// <summary>A trivial item that travels as JSON (an object), unlike a primitive number, which travels as raw bytes.</summary>
public sealed record Number(int Value);

/// <summary>The trivial item on the JSON path: the same work as <see cref="AddOne"/>.</summary>
public sealed class AddOneJson : IWork<Number, Number>
{
    public Number Execute(Number input) => new(input.Value + 1);
}

/// <summary>A range [From, To) to count primes in.</summary>
public readonly record struct Slice(long From, long To);

/// <summary>The CPU-bound item: trial division, the same algorithm as the demo and the Python script.</summary>
public sealed class CountPrimes : IWork<Slice, int>
{
    public int Execute(Slice input)
    {
        var count = 0;
        for (var n = Math.Max(2, input.From); n < input.To; n++)
        {
            if (IsPrime(n))
            {
                count++;
            }
        }

        return count;
    }

    private static bool IsPrime(long n)
    {
        if (n < 4)
        {
            return n >= 2;
        }

        if (n % 2 == 0)
        {
            return false;
        }

        for (long d = 3; d * d <= n; d += 2)
        {
            if (n % d == 0)
            {
                return false;
            }
        }

        return true;
    }
}
