using Brigade.Diagnostics;

namespace Brigade.Synchronization;

/// <summary>Options of a Brigade synchronization primitive; read once, when the primitive is created.</summary>
public sealed class LockOptions
{
    private string? _name;

    /// <summary>Gets or sets the name reports use for the primitive.</summary>
    /// <value>Defaults to <see langword="null"/>: the primitive is named after its kind and a number, such as <c>lock#3</c>.</value>
    public string? Name
    {
        get => _name;
        set
        {
            if (value is not null && string.IsNullOrWhiteSpace(value))
            {
                throw new ArgumentException("a name must not be blank", nameof(value));
            }

            _name = value;
        }
    }

    /// <summary>Gets or sets how the primitive chooses the next owner.</summary>
    /// <value>Defaults to <see cref="LockFairness.Unfair"/>.</value>
    public LockFairness Fairness { get; set; } = LockFairness.Unfair;

    /// <summary>Gets or sets whether the primitive detects pitfalls: deadlocks, lock-order inversions and starvation.</summary>
    /// <value>
    /// Defaults to <see langword="true"/>. When <see langword="false"/> the primitive is a plain lock: it tracks no owner,
    /// joins no graph and cannot be part of a report.
    /// </value>
    public bool DetectPitfalls { get; set; } = true;

    /// <summary>Gets or sets the channel the primitive reports to and takes its settings and clock from.</summary>
    /// <value>Defaults to <see langword="null"/>: <see cref="PitfallDiagnostics.Default"/>.</value>
    public PitfallDiagnostics? Diagnostics { get; set; }
}
