namespace Brigade.Orleans;

/// <summary>How the cluster engine spreads a run over silos, retries lost batches and watches membership.</summary>
/// <remarks>Values are validated when set; an engine takes a copy when it is created.</remarks>
public sealed class ClusterEngineOptions
{
    private int? _workersPerSilo;
    private int _maxBatchAttempts = 3;
    private TimeSpan _targetBatchDuration = TimeSpan.FromMilliseconds(20);
    private TimeSpan _membershipCheckInterval = TimeSpan.FromMilliseconds(500);
    private TimeSpan _prepareTimeout = TimeSpan.FromSeconds(30);
    private TimeSpan _responseGracePeriod = TimeSpan.FromSeconds(10);
    private TimeSpan _unresponsiveSiloTimeout = TimeSpan.FromSeconds(10);
    private TimeSpan _stallTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how many batches each silo runs at once (its worker slots).</summary>
    /// <value>Defaults to <see langword="null"/>: the silo's processor count, as the silo reports it. Set it when several
    /// silos share a machine (for example 1 for two silos on a 2-core machine) or for I/O-bound work (more).</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int? WorkersPerSilo
    {
        get => _workersPerSilo;
        set
        {
            if (value is < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "WorkersPerSilo must be at least 1.");
            }

            _workersPerSilo = value;
        }
    }

    /// <summary>Gets or sets how many times a batch is sent before its items are given up on.</summary>
    /// <value>Defaults to 3. A batch whose silo left the cluster goes back to the queue whole and runs on another slot. A
    /// batch whose call failed while its silo stayed (an error, a lost response) is split in halves that go back to the
    /// queue, so that one bad item cannot sink its neighbours. A single item that has failed this many times is reported
    /// failed with its index and every attempt's silo and cause (<see cref="ClusterDispatchException"/>); so is a batch
    /// whose silo left this many times, item by item.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxBatchAttempts
    {
        get => _maxBatchAttempts;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxBatchAttempts = value;
        }
    }

    /// <summary>Gets or sets how long a batch should take, round trip included, when batches are sized adaptively.</summary>
    /// <value>Defaults to 20 ms: a localhost round trip costs a fraction of a millisecond, so batches of this length
    /// keep the per-item overhead to a few percent while still balancing load between silos.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan TargetBatchDuration
    {
        get => _targetBatchDuration;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _targetBatchDuration = value;
        }
    }

    /// <summary>Gets or sets how often a run checks cluster membership for silos that left.</summary>
    /// <value>Defaults to 500 ms. Batches in flight on a silo that left are retried elsewhere as soon as a check sees
    /// it gone; how soon Orleans declares a crashed silo dead is set by its own membership options.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan MembershipCheckInterval
    {
        get => _membershipCheckInterval;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _membershipCheckInterval = value;
        }
    }

    /// <summary>Gets or sets how long a run waits for the silos to confirm that they can run its work type.</summary>
    /// <value>Defaults to 30 s. A silo that does not answer in time is left out of the run.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan PrepareTimeout
    {
        get => _prepareTimeout;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _prepareTimeout = value;
        }
    }

    /// <summary>Gets or sets how long after a silo finished a batch its response may take to arrive before the batch counts as lost.</summary>
    /// <value>Defaults to 10 s. Orleans drops a response it cannot deliver (one larger than its message size limit, for
    /// instance) without failing the call; the engine asks the worker grain of a long call whether it is still running,
    /// and sends again a batch finished longer ago than this, or never received after twice this.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan ResponseGracePeriod
    {
        get => _responseGracePeriod;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _responseGracePeriod = value;
        }
    }

    /// <summary>Gets or sets how long a silo may leave the run's calls unanswered before the run stops using it.</summary>
    /// <value>Defaults to 10 s. The engine asks the worker grain of every call in flight for more than a second whether
    /// it still runs its batch. A silo that answers nothing for this long (no response, no answer to those checks) is
    /// treated as gone, as if it had left the cluster: its batches go to the other silos and it takes no more of this run.
    /// A single call that nobody confirms for this long is cancelled and its batch sent again. This is what notices a
    /// silo killed or cut off long before Orleans' membership declares it dead, and a call stuck behind a gateway the
    /// client can no longer reach. Items may then run twice (on the silo that went quiet, and elsewhere); results are
    /// still delivered once.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan UnresponsiveSiloTimeout
    {
        get => _unresponsiveSiloTimeout;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _unresponsiveSiloTimeout = value;
        }
    }

    /// <summary>Gets or sets how long a run waits for the cluster to make progress before it fails.</summary>
    /// <value>Defaults to 30 s. When batches are owed by the cluster and for this long none completes and no silo confirms
    /// one running (the client lost every gateway, or the cluster cannot serve calls, as a localhost cluster whose primary
    /// silo died), the run fails with <see cref="ClusterUnavailableException"/>: the items not completed are counted as
    /// not run, never lost silently. Time spent waiting for the caller's own input does not count. Keep it at least
    /// <see cref="UnresponsiveSiloTimeout"/>, so that a run first tries the other silos.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan StallTimeout
    {
        get => _stallTimeout;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _stallTimeout = value;
        }
    }

    /// <summary>Gets or sets whether a run leaves out the silos that run another build of its work type's code.</summary>
    /// <value>Defaults to <see langword="false"/>: a silo whose work type has the caller's names and members but another
    /// build (its assembly's module MVID differs: changed code, or the same source compiled elsewhere) still runs its share,
    /// and the run's plan and log (event 7120) name it (<c>another build: 10.0.0.13:11111 (...)</c>), as during a rolling
    /// upgrade. Set it when results must come from the caller's exact build: such silos are then left out and named in
    /// the plan with why, and a run no silo of that build accepts fails with <see cref="ClusterWorkRejectedException"/>.</value>
    public bool SameBuildOnly { get; set; }

    /// <summary>Returns a copy, so that an engine is not affected by later changes to this instance.</summary>
    /// <returns>A copy of the options.</returns>
    public ClusterEngineOptions Clone() => (ClusterEngineOptions)MemberwiseClone();
}
