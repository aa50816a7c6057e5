namespace Brigade.Doctor;

/// <summary>A process or dump that cannot be diagnosed; the message is one line that says why and what to do.</summary>
public sealed class DoctorException : Exception
{
    /// <summary>Initializes an exception of kind <see cref="DoctorErrorKind.DumpFailed"/>.</summary>
    public DoctorException()
        : this(DoctorErrorKind.DumpFailed, "the process could not be diagnosed")
    {
    }

    /// <summary>Initializes an exception of kind <see cref="DoctorErrorKind.DumpFailed"/> with a message.</summary>
    /// <param name="message">The one-line message.</param>
    public DoctorException(string message)
        : this(DoctorErrorKind.DumpFailed, message)
    {
    }

    /// <summary>Initializes an exception of kind <see cref="DoctorErrorKind.DumpFailed"/> with a message and a cause.</summary>
    /// <param name="message">The one-line message.</param>
    /// <param name="innerException">The cause.</param>
    public DoctorException(string message, Exception innerException)
        : this(DoctorErrorKind.DumpFailed, message, innerException)
    {
    }

    /// <summary>Initializes an exception of a given kind.</summary>
    /// <param name="kind">Why the diagnosis failed.</param>
    /// <param name="message">The one-line message.</param>
    /// <param name="innerException">The cause, if any.</param>
    public DoctorException(DoctorErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    /// <summary>Gets why the diagnosis failed.</summary>
    public DoctorErrorKind Kind { get; }
}
