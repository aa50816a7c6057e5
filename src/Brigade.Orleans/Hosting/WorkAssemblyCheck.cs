using System.Reflection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Brigade.Orleans.Hosting;

/// <summary>
/// Warns, as the silo starts, of work assemblies whose dependencies cannot be found (<see cref="WorkAssemblyLoader.MissingDependencies"/>):
/// the silo still starts, and items that never reach the missing code still run, but the others would each fail with
/// <c>FileNotFoundException</c>, which was all a user saw (review 47). A dependency of a dependency is named with the chain of
/// references that needs it (review 48).
/// </summary>
internal sealed partial class WorkAssemblyCheck(IReadOnlyList<(string Path, Assembly Assembly, IReadOnlyList<MissingDependency> Missing)> assemblies, ILogger<WorkAssemblyCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var (path, assembly, missing) in assemblies.Where(a => a.Missing.Count > 0))
        {
            LogMissing(logger, assembly.GetName().Name ?? path, path, string.Join(", ", missing));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 7103, Level = LogLevel.Warning,
        Message = "Brigade: work assembly {Assembly} needs {Missing}, neither beside it nor in this silo: items that use it will fail " +
                  "(FileNotFoundException). Give the silo 'dotnet publish' output, which holds the NuGet packages, not 'dotnet build' output ({Path})")]
    private static partial void LogMissing(ILogger logger, string assembly, string path, string missing);
}
