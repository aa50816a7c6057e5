using Brigade.Auto;

namespace Brigade.Cli;

/// <summary>The names the command line and its JSON use for workload classes.</summary>
internal static class WorkloadClassNames
{
    /// <summary>Returns the stable kebab-case name: <c>cpu-bound</c>, <c>blocking</c>, <c>async-io</c>, <c>tiny</c>, <c>mixed</c>, <c>serialized</c>, <c>unknown</c>.</summary>
    public static string Of(WorkloadClass c) => c switch
    {
        WorkloadClass.CpuBound => "cpu-bound",
        WorkloadClass.Blocking => "blocking",
        WorkloadClass.AsyncIo => "async-io",
        WorkloadClass.Tiny => "tiny",
        WorkloadClass.Mixed => "mixed",
        WorkloadClass.Serialized => "serialized",
        _ => "unknown",
    };
}
