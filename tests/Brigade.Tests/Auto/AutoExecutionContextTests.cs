using Brigade.Auto;

namespace Brigade.Tests.Auto;

/// <summary>
/// Every item of an auto run sees its own caller's execution context (AsyncLocal values, Activity.Current), whichever
/// thread launched the loop that runs it: a worker, the launcher thread, the process-wide controller thread (which used to
/// hand later runs the context of the run that started it), or a pool thread joining a tiny job.
/// </summary>
[Collection(AutoCollection.Name)]
public sealed class AutoExecutionContextTests
{
    private static readonly AsyncLocal<string?> Caller = new();

    public static TheoryData<string> Shapes => ["blocking", "tiny", "cpu"];

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Shapes))]
    public async Task RunsOneAfterAnother_EachItemSeesItsOwnCallersAsyncLocal(string shape)
    {
        foreach (var name in (string[])["first", "second", "third"])
        {
            var (seen, wrong) = await RunAsAsync(name, shape);
            Assert.True(wrong == 0, $"{shape}, run '{name}': {wrong} of {seen} items saw another caller's AsyncLocal value");
        }
    }

    private static Task<(int Seen, int Wrong)> RunAsAsync(string name, string shape) => Task.Run(async () =>
    {
        Caller.Value = name;
        var seen = 0;
        var wrong = 0;
        var options = new RunOptions { Engine = Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false }) };
        var count = shape switch { "blocking" => 600, "tiny" => 2_000, _ => 400 };
        await Runner.ForEachAsync(Enumerable.Range(0, count).ToArray(), x =>
        {
            Interlocked.Increment(ref seen);
            if (Caller.Value != name)
            {
                Interlocked.Increment(ref wrong);
            }

            if (shape == "blocking")
            {
                Thread.Sleep(3);
            }
            else if (shape == "cpu")
            {
                Thread.SpinWait(20_000);
            }
        }, options);
        return (seen, wrong);
    });
}
