using Microsoft.Diagnostics.Runtime;

namespace Brigade.Doctor.Analysis;

/// <summary>One managed frame as read from the dump: its method, the objects it roots, and how it reads in a report.</summary>
internal sealed class FrameScan(ClrStackFrame frame, string typeName, string methodName, bool isFramework, DiagnosedFrame display)
{
    public ClrStackFrame Frame { get; } = frame;

    public string TypeName { get; } = typeName;

    public string MethodName { get; } = methodName;

    public bool IsFramework { get; } = isFramework;

    public DiagnosedFrame Display { get; } = display;

    public List<ClrObject> Roots { get; } = [];

    /// <summary>Review 50: the addresses of the objects this frame roots only through an interior pointer (a <c>ref</c> to
    /// one of their fields): <c>Monitor.Enter(gate, ref taken)</c> with <c>taken</c> a field of an async method's state
    /// machine (every local is one in a Debug build) roots the state machine so, not a lock.</summary>
    public HashSet<ulong> InteriorOnly { get; } = [];
}
