namespace Brigade.Doctor;

/// <summary>One managed frame of a thread's stack, with its source file and line when the module's PDB was found.</summary>
public sealed class DiagnosedFrame
{
    internal DiagnosedFrame(string method, string? file, int? line, bool isFramework)
    {
        Method = method;
        File = file;
        Line = line;
        IsFramework = isFramework;
    }

    /// <summary>Gets the method, as <c>Namespace.Type.Method</c>.</summary>
    public string Method { get; }

    /// <summary>Gets the source file, or null when no PDB (portable, next to the module or embedded) maps the frame.</summary>
    public string? File { get; }

    /// <summary>Gets the source line, or null.</summary>
    public int? Line { get; }

    /// <summary>Gets whether the frame is in .NET's own libraries (or Brigade's primitives) rather than the application's code.</summary>
    public bool IsFramework { get; }

    /// <summary>Gets the source location as <c>file:line</c> (the file name only), or null.</summary>
    public string? Location => File is null ? null : $"{Path.GetFileName(File)}:{Line}";

    /// <summary>Returns the method and, when known, <c>(file:line)</c>.</summary>
    /// <returns>For example <c>Bank.Transfer (Bank.cs:48)</c>.</returns>
    public override string ToString() => Location is null ? Method : $"{Method} ({Location})";
}
