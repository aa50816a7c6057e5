namespace Brigade.Reporting;

/// <summary>Why a cluster run stopped using a silo, as far as the run could tell: the advice differs (a silo that left says
/// why in its log; one that stopped answering while still a member says nothing, its machine does).</summary>
internal enum LostSiloCause
{
    /// <summary>The cluster's membership said it left: it shut itself down (or the run could not read how it left).</summary>
    Left,

    /// <summary>It stayed a member but answered nothing for longer than the run waits (a stopped or frozen process, a
    /// machine out of CPU or swapping, a long GC pause, a network cut).</summary>
    Unresponsive,

    /// <summary>It no longer accepted the run's work type (restarted with other work).</summary>
    WorkTypeGone,

    /// <summary>The other silos declared it dead: it stopped answering their probes (killed, crashed, its machine down or
    /// cut off), and did not shut itself down (its membership entry is Dead by their votes, not by its own update).</summary>
    DeclaredDead,
}
