namespace Brigade.Testing.Tests.Corpus;

/// <summary>The labelled verdict of a corpus program.</summary>
public enum Verdict
{
    /// <summary>No data race and no other bug.</summary>
    Correct,

    /// <summary>A data race on a tracked variable (the seeded bug).</summary>
    Racy,

    /// <summary>No data race; can deadlock.</summary>
    Deadlock,

    /// <summary>No data race; can make no progress forever while busy.</summary>
    Livelock,

    /// <summary>No data race; an atomicity violation makes an assertion fail in some interleavings.</summary>
    AssertionFailure,
}
