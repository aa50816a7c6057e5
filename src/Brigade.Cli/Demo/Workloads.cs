namespace Brigade.Cli.Demo;

/// <summary>The demo's reference workloads: deterministic, allocation-free, and the same on every machine.</summary>
internal static class Workloads
{
    /// <summary>Counts primes in [from, to) by trial division: pure CPU, no memory traffic.</summary>
    public static int CountPrimes(long from, long to)
    {
        var count = 0;
        for (var n = Math.Max(2, from); n < to; n++)
        {
            if (IsPrime(n))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>A tiny item: a few hundred arithmetic operations, about a fifth of a microsecond.</summary>
    public static int Tiny(int x)
    {
        var h = (uint)x;
        for (var i = 0; i < 160; i++)
        {
            h = (h ^ (h >> 15)) * 0x2c1b3c6dU;
            h ^= h >> 12;
        }

        return (int)h;
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
