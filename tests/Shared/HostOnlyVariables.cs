using System.Runtime.CompilerServices;

namespace Brigade.TestSupport;

/// <summary>
/// Takes the variables that a test project's run settings set for its test host alone (<c>HostJit.runsettings</c>) out
/// of the host's environment as the test assembly loads, so that nothing the tests start inherits them: the brigade
/// processes, silos, workers and commands run with the environment they had before.
/// </summary>
/// <remarks>
/// The runtime reads <c>DOTNET_TC_CallCounting</c> from the environment only, when it starts, so the test platform sets
/// it for the host (RunConfiguration.EnvironmentVariables), beside <see cref="ListVariable"/>, which names it. Once the
/// host runs, the variable has done its work. What .NET starts afterwards (Process.Start, Brigade's own spawner) takes
/// the environment from .NET's view, which no longer holds it.
/// </remarks>
internal static class HostOnlyVariables
{
    /// <summary>The variable that names, comma-separated, the variables meant for the test host alone.</summary>
    public const string ListVariable = "BRIGADE_TEST_HOST_ONLY";

    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "A test assembly: the variables must be gone before any test starts a process.")]
    internal static void Apply()
    {
        if (Environment.GetEnvironmentVariable(ListVariable) is not { } names)
        {
            return;
        }

        foreach (var name in names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            Environment.SetEnvironmentVariable(name, null);
        }

        Environment.SetEnvironmentVariable(ListVariable, null);
    }
}
