namespace Brigade.Reporting;

/// <summary>Why a cluster run stopped using a silo, as far as the run could tell: the advice differs (a silo that left says
/// why in its log; one that stopped answering while still a member says nothing, its machine does).</summary>
internal enum LostSiloCause
{
    /// <summary>The cluster's membership no longer lists it as active: it shut itself down, or the other silos declared it
    /// dead (killed, crashed, cut off). Its membership entry cannot tell the two apart reliably (review 68: a silo stopping
    /// gracefully is itself voted dead mid-shutdown), so the advice names both.</summary>
    Left,

    /// <summary>It stayed a member but answered nothing for longer than the run waits (a stopped or frozen process, a
    /// machine out of CPU or swapping, a long GC pause, a network cut).</summary>
    Unresponsive,

    /// <summary>It no longer accepted the run's work type (restarted with other work).</summary>
    WorkTypeGone,
}
