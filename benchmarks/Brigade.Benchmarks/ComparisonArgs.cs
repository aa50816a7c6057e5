using System.Globalization;
using Brigade.Workloads;

namespace Brigade.Benchmarks;

/// <summary>The options of the workload comparisons (<c>auto</c>, <c>forecast</c>): repetitions, scale, which workloads; and the load average they print.</summary>
internal sealed record ComparisonArgs(int Reps, WorkloadScale Scale, string[]? Only)
{
    /// <summary>Parses <c>[--reps N] [--scale full|quick|test] [--only id,id]</c>; null (after saying why) on an unknown option.</summary>
    public static ComparisonArgs? Parse(string[] args, int defaultReps)
    {
        var parsed = new ComparisonArgs(defaultReps, WorkloadScale.Full, null);
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--reps": parsed = parsed with { Reps = int.Parse(args[++i], CultureInfo.InvariantCulture) }; break;
                case "--scale": parsed = parsed with { Scale = Enum.Parse<WorkloadScale>(args[++i], ignoreCase: true) }; break;
                case "--only": parsed = parsed with { Only = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) }; break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return null;
            }
        }

        return parsed;
    }

    /// <summary>Whether the workload is one of those asked for.</summary>
    public bool Includes(string id) => Only is null || Only.Contains(id);

    /// <summary>The 1, 5 and 15 minute load averages, or "n/a".</summary>
    public static string ReadLoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
        }
        catch (IOException)
        {
            return "n/a";
        }
    }
}
