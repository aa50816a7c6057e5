using System.Runtime.InteropServices;

namespace Brigade.Cli.Demo.Model;

/// <summary>The machine the demo measured.</summary>
internal sealed class MachineInfo
{
    public int Cores { get; init; }

    public string Os { get; init; } = "";

    public string Runtime { get; init; } = "";

    public string Architecture { get; init; } = "";

    public string? Processor { get; init; }

    public double MemoryGiB { get; init; }

    public string Date { get; init; } = "";

    public static MachineInfo Current() => new()
    {
        Cores = Environment.ProcessorCount,
        Os = RuntimeInformation.OSDescription,
        Runtime = RuntimeInformation.FrameworkDescription,
        Architecture = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(),
        Processor = ReadProcessorName(),
        MemoryGiB = Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024), 1),
        Date = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
    };

    private static string? ReadProcessorName()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                foreach (var line in File.ReadLines("/proc/cpuinfo"))
                {
                    if (line.StartsWith("model name", StringComparison.Ordinal))
                    {
                        return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
                    }
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }
}
