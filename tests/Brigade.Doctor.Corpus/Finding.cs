namespace Brigade.Doctor.Corpus;

/// <summary>What brigade doctor must report on a scenario.</summary>
public enum Finding
{
    /// <summary>Deadlock cycles (BRG1001), each with exactly the threads listed.</summary>
    Deadlock,

    /// <summary>Thread-pool starvation (BRG1004).</summary>
    ThreadPoolStarvation,

    /// <summary>Pool threads blocked on unfinished tasks, without starvation (BRG1008).</summary>
    SyncOverAsync,

    /// <summary>No pitfall: a correct program, or waits with no owner to blame (listed, never a deadlock).</summary>
    None,
}
