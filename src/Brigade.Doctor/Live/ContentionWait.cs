namespace Brigade.Doctor.Live;

/// <summary>One thread's current contention, as the runtime's <c>ContentionStart</c> event told it.</summary>
/// <param name="Thread">The waiting thread's OS id.</param>
/// <param name="StartTicks">When its wait started (UTC ticks): with <paramref name="Thread"/>, names the wait episode.</param>
/// <param name="LockId">The runtime's id of the lock waited on (0 when the event did not carry it).</param>
/// <param name="Owner">The OS id of the thread that held the lock when the wait started (0 when the event did not carry it).</param>
internal readonly record struct ContentionWait(long Thread, long StartTicks, long LockId, long Owner = 0);
