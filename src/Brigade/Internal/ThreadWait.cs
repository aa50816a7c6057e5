namespace Brigade.Internal;

/// <summary>What a thread of this process is doing at a look from outside (<see cref="ThreadSchedStat.Wait"/>).</summary>
internal enum ThreadWait
{
    /// <summary>Not known (the thread is gone, or <c>/proc</c> could not be read).</summary>
    Unknown,

    /// <summary>Running, or ready to run and waiting for a core (state <c>R</c>).</summary>
    Runnable,

    /// <summary>Blocked in a system call that is the thread's own wait: a futex (locks, <c>Thread.Sleep</c>, the runtime's
    /// events), a read, a poll; or blocked where the system call could not be told.</summary>
    Blocked,

    /// <summary>
    /// Blocked in the kernel's memory management or the runtime's back-off, which a thread does not choose to wait in: a
    /// page fault (no system call: the kernel's memory map, locked by a thread that may be waiting for a core), a memory
    /// system call (<c>mmap</c>, <c>mprotect</c>, <c>munmap</c>, <c>mremap</c>, <c>madvise</c>, <c>brk</c>: the GC commits and
    /// decommits on allocating threads), or <c>nanosleep</c> (managed code sleeps on a futex; the runtime's spin locks, the
    /// GC's allocation lock among them, back off with it while their holder waits for a core).
    /// </summary>
    Held,
}
