using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Conformance;

/// <summary>
/// What every engine must do, whatever its kind of parallelism: one suite, run once per built-in engine by the
/// derived classes (in the spirit of dotnet/runtime's <c>ChannelTestBase</c>). A new engine gets the same guarantees
/// by deriving one more class.
/// </summary>
/// <remarks>The tests are split by topic over partial files: ordering, failures, cancellation, sources, report.</remarks>
public abstract partial class EngineConformanceTests
{
    protected const int Width = 4;

    /// <summary>Gets the engine under test.</summary>
    protected abstract Engine Engine { get; }

    /// <summary>Gets whether the engine always runs one worker, whatever width is asked for.</summary>
    protected virtual bool IsSingleWorker => false;

    /// <summary>Gets how many Brigade-owned threads are alive in the process (only the threads engine owns any).</summary>
    protected virtual int LiveWorkerThreads => 0;

    /// <summary>Every input shape, with synchronous and asynchronous work.</summary>
    public static TheoryData<InputShape, bool> ShapesAndWork
    {
        get
        {
            var data = new TheoryData<InputShape, bool>();
            foreach (var shape in Enum.GetValues<InputShape>())
            {
                data.Add(shape, false);
                data.Add(shape, true);
            }

            return data;
        }
    }

    /// <summary>Every input shape and kind of work, with adaptive batches (0) and a fixed size that does not divide the input.</summary>
    public static TheoryData<InputShape, bool, int> ShapesWorkAndBatch
    {
        get
        {
            var data = new TheoryData<InputShape, bool, int>();
            foreach (var shape in Enum.GetValues<InputShape>())
            {
                foreach (var asyncWork in new[] { false, true })
                {
                    data.Add(shape, asyncWork, 0);
                    data.Add(shape, asyncWork, 7);
                }
            }

            return data;
        }
    }

    /// <summary>Gets the width a run really has when <paramref name="requested"/> is asked for.</summary>
    protected int WidthFor(int requested) => IsSingleWorker ? 1 : requested;

    protected RunOptions Options(int? width = Width, int? batchSize = null, FailureMode failureMode = FailureMode.Continue) => new()
    {
        Engine = Engine,
        MaxDegreeOfParallelism = width,
        BatchSize = batchSize is 0 ? null : batchSize,
        FailureMode = failureMode,
    };

    protected static int[] Range(int count) => Enumerable.Range(0, count).ToArray();

    protected static int Transform(int x) => (x * 3) + 1;

    /// <summary>No Brigade worker is left: no item of the run is still running and no Brigade thread is alive.</summary>
    protected void AssertNoWorkerLeft(int itemsRunning)
    {
        Assert.Equal(0, itemsRunning);
        Assert.Equal(0, LiveWorkerThreads);
    }
}
