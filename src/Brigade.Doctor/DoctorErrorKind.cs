namespace Brigade.Doctor;

/// <summary>Why a process or a dump could not be diagnosed.</summary>
public enum DoctorErrorKind
{
    /// <summary>No process has that id.</summary>
    NoSuchProcess = 1,

    /// <summary>The process (or the dump) is not a .NET (CoreCLR) process.</summary>
    NotDotNet = 2,

    /// <summary>The process runs .NET but offers no diagnostics endpoint (<c>DOTNET_EnableDiagnostics=0</c>, or another temporary directory).</summary>
    DiagnosticsDisabled = 3,

    /// <summary>The process belongs to another user and this one may not inspect it.</summary>
    PermissionDenied = 4,

    /// <summary>The kernel or the container forbids the <c>ptrace</c> that writing a dump needs.</summary>
    PtraceForbidden = 5,

    /// <summary>The file does not exist.</summary>
    DumpNotFound = 6,

    /// <summary>The file is not a core dump.</summary>
    NotADump = 7,

    /// <summary>The dump comes from a .NET runtime whose data-access library (DAC) is not on this machine.</summary>
    RuntimeMismatch = 8,

    /// <summary>The process exited, or the runtime failed to write the dump.</summary>
    DumpFailed = 9,

    /// <summary>The process does not answer on its diagnostics endpoint: it is stopped (<c>kill -STOP</c>, a debugger),
    /// or it did not finish its dump within <see cref="DoctorOptions.DumpTimeout"/>.</summary>
    NotResponding = 10,

    /// <summary>The dump lacks what the analysis needs: it is truncated, or its threads' stacks cannot be read (a core
    /// file without the memory the runtime's data-access library walks stacks with).</summary>
    IncompleteDump = 11,
}
