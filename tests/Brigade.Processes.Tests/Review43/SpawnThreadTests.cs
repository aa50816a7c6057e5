using Brigade.Processes.Internal;

namespace Brigade.Processes.Tests.Review43;

/// <summary>
/// The thread that starts worker processes was a <see cref="Lazy{T}"/>, which remembers a failed factory: one failed
/// thread start (a process at its thread limit) made every later worker start in the process fail with it.
/// </summary>
public sealed class SpawnThreadTests
{
    [Fact]
    public void AFailedStart_IsNotRemembered_TheNextPostStartsTheThread()
    {
        var fail = true;
        var spawner = new SpawnThread("test-spawner", thread =>
        {
            if (fail)
            {
                throw new OutOfMemoryException("Thread failed to start.");
            }

            thread.Start();
        });

        var ran = new ManualResetEventSlim();
        Assert.Throws<OutOfMemoryException>(() => spawner.Post(ran.Set));
        Assert.False(spawner.Started);

        fail = false;
        spawner.Post(ran.Set);

        Assert.True(spawner.Started);
        Assert.True(ran.Wait(TimeSpan.FromSeconds(30)), "the posted action did not run");
    }

    [Fact]
    public void Posts_RunInOrder_OnOneNamedThread()
    {
        var spawner = new SpawnThread("test-spawner-order");
        var seen = new List<(int, string?)>();
        using var done = new CountdownEvent(3);
        for (var i = 0; i < 3; i++)
        {
            var n = i;
            spawner.Post(() =>
            {
                seen.Add((n, Thread.CurrentThread.Name));
                done.Signal();
            });
        }

        Assert.True(done.Wait(TimeSpan.FromSeconds(30)));
        Assert.Equal([(0, "test-spawner-order"), (1, "test-spawner-order"), (2, "test-spawner-order")], seen);
    }
}
