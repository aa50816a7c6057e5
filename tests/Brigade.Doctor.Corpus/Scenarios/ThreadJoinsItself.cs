namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 45: a worker's <c>Stop()</c> joins the worker thread, and the worker calls <c>Stop()</c> itself (on an
/// error path): the thread waits for its own end. Before: "no owner to blame: any thread may release it", no pitfall.</summary>
public sealed class ThreadJoinsItself : Scenario
{
    public override string Name => "thread-joins-itself";

    public override Expectation Expected => new(Finding.Deadlock)
    {
        Cycles = [["poller"]],
        WaitKinds = ["ThreadJoin"],
        TextContains = "joins itself (Thread.Join on its own thread)",
    };

    public override void Start()
    {
        var poller = new Poller();
        poller.Begin();
        WaitUntilBlocked(poller.Thread!);
    }

    private sealed class Poller
    {
        public Thread? Thread { get; private set; }

        public void Begin() => Thread = Run("poller", Poll);

        private void Poll()
        {
            while (Thread is null)
            {
                System.Threading.Thread.Sleep(1);
            }

            Stop();
        }

        private void Stop() => Thread?.Join();
    }
}
