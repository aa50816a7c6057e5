namespace Brigade.Orleans;

/// <summary>
/// The silos refused the run's work type before any item was sent: it is not defined in any silo's work assemblies, or
/// it differs from the caller's build, or the work was given as a delegate, which cannot cross to another machine.
/// </summary>
public sealed class ClusterWorkRejectedException : Exception
{
    /// <summary>Initializes an instance.</summary>
    public ClusterWorkRejectedException()
        : this("The cluster rejected the work type.")
    {
    }

    /// <summary>Initializes an instance with a message.</summary>
    /// <param name="message">The message.</param>
    public ClusterWorkRejectedException(string message)
        : base(message)
    {
        Reasons = new Dictionary<string, string>();
    }

    /// <summary>Initializes an instance with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The inner exception.</param>
    public ClusterWorkRejectedException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Reasons = new Dictionary<string, string>();
    }

    /// <summary>Initializes an instance with each silo's reason.</summary>
    /// <param name="message">The message.</param>
    /// <param name="workType">The work type's full name.</param>
    /// <param name="reasons">Why each silo refused it, by silo address.</param>
    public ClusterWorkRejectedException(string message, string? workType, IReadOnlyDictionary<string, string> reasons)
        : base(message)
    {
        ArgumentNullException.ThrowIfNull(reasons);
        WorkType = workType;
        Reasons = reasons;
    }

    /// <summary>Gets the work type's full name, when the work was a type.</summary>
    public string? WorkType { get; }

    /// <summary>Gets why each silo refused the work type, by silo address.</summary>
    public IReadOnlyDictionary<string, string> Reasons { get; }
}
